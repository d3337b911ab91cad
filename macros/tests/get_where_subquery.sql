{#- What a generic data test reads of the model under test (overrides dbt's macro of this name,
    which dbt looks up in the root project first). As dbt's: the rows matching the test's own
    `where` config, if it has one. In addition, when the run checks changed rows only
    (cd2_test_scope() = 'changed': the production refresh, `dbt build --selector refresh`) and
    the relation has the loader's change marker `_dap_loaded_at`, only its rows with
    `_dap_loaded_at` at or after the start of the newest completed `cd2 load`
    (cd2_newest_load_start): the rows that load changed. A staging view (cd2_staging), which
    drops the marker, reads the rows whose key its base model's changed rows carry
    (cd2_changed_rows_origin): the same rows, so a refresh does not scan the whole current state
    of every table. Everything else reads the whole relation: the nightly build, models without
    the marker (small dimensions, the CD1 marts rebuilt as tables), a warehouse
    without a sync log, and tests whose result only means something over the whole table
    (equal_row_count compares two counts). Decided when the test runs, not at parse time, so
    the refresh and the nightly build share one parsed project. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set test_name = (model.get('test_metadata') or {}).get('name') if model is mapping else none -%}
    {%- if execute and cd2_test_scope() == 'changed' and test_name not in ['equal_row_count']
        and relation.schema is defined and relation.identifier is defined -%}
        {%- set tested = cd2_tested_node(relation) -%}
        {#- from the graph where it can tell, without a catalog query (one took 60 ms a test at
            --scale xlarge) -#}
        {%- set marked = cd2_node_has_marker(tested) if tested is not none else none -%}
        {%- if marked is none -%}
            {%- set marked = '_dap_loaded_at' in (adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) -%}
        {%- endif -%}
        {%- set origin = none if marked or tested is none else cd2_changed_rows_origin(tested) -%}
        {%- if marked or origin is not none -%}
            {%- set since = cd2_newest_load_start() -%}
            {%- if since is not none and origin is none -%}
                {%- do conditions.append("_dap_loaded_at >= '" ~ since ~ "'") -%}
            {%- elif since is not none -%}
                {%- do conditions.append(origin.key ~ " in (select " ~ origin.key ~ " from " ~ origin.relation ~ " where _dap_loaded_at >= '" ~ since ~ "')") -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not conditions -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set filtered -%}
        (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}
