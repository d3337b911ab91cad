{#- What a generic data test reads of the model under test (overrides dbt's macro of this name,
    which dbt looks up in the root project first). As dbt's: the rows matching the test's own
    `where` config, if it has one. In addition, when the run checks changed rows only
    (cd2_test_scope() = 'changed': the production refresh, `dbt build --selector refresh`) and
    the relation has the loader's change marker `_dap_loaded_at`, only its rows with
    `_dap_loaded_at` at or after the start of the newest completed `cd2 load`
    (cd2_newest_load_start): the rows that load changed. Everything else reads the whole relation:
    the nightly build, models without the marker (staging views, small dimensions), a warehouse
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
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- if '_dap_loaded_at' in columns -%}
            {%- set since = cd2_newest_load_start() -%}
            {%- if since is not none -%}
                {%- do conditions.append("_dap_loaded_at >= '" ~ since ~ "'") -%}
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
