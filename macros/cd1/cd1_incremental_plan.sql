{#- What this run of an incremental mart does (see cd1_incremental.sql), decided when the model
    compiles and again when its pre-hook renders, from the same data (nothing writes the mart or
    its inputs in between): a dict with
      mode    'full' (not incremental: dbt builds the table), 'rebuild' (incremental run that
              recomputes everything: the pre-hook empties the mart first) or 'changes';
      marker  (mode 'changes') SQL literal of the mart's highest _dap_loaded_at (M), written into
              the SQL so that the planner estimates the reads of new rows by their index.
    Rebuild when the mart has no marker (empty, or made by a version without the column), when a
    table it reads holds nothing loaded up to M any more (min(_dap_loaded_at) > M: a newer
    snapshot replaced it), when such a table is empty and its raw table had a snapshot since M
    (an empty snapshot), or when a parent marked `rebuild` changed. Unit tests: mode 'changes'
    with the marker read from their `this` fixture. The model passes its spec (a unit test's
    config is not the model's); the pre-hook reads it from the model's meta. -#}
{% macro cd1_incremental_plan(spec=none) -%}
    {%- if not execute or (model.resource_type == 'unit_test' and this is none) or not is_incremental() -%}
        {{ return({'mode': 'full', 'marker': none, 'spec': none}) }}
    {%- endif -%}
    {%- set spec = cd1_incremental_spec(spec) if spec is not none else cd1_incremental_current_spec() -%}
    {%- if model.resource_type == 'unit_test' -%}
        {#- the unit test overrides is_incremental and gives `this` as a fixture -#}
        {{ return({'mode': 'changes', 'marker': '(select max(_dap_loaded_at) from ' ~ this ~ ')', 'spec': spec}) }}
    {%- endif -%}
    {#- a mart built by a version without the marker column: rebuild (on_schema_change adds it) -#}
    {%- set stored = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if '_dap_loaded_at' not in stored -%}
        {{ return({'mode': 'rebuild', 'marker': none, 'spec': spec}) }}
    {%- endif -%}
    {%- set marker_text = run_query(cd1_marker_text_sql(this)).columns[0].values()[0] -%}
    {%- if marker_text is none -%}
        {{ return({'mode': 'rebuild', 'marker': none, 'spec': spec}) }}
    {%- endif -%}
    {%- set marker = cd1_marker_literal(marker_text) -%}
    {%- set conditions = [] -%}
    {%- set replaceable = [spec.driving] -%}
    {%- for parent in spec.parents -%}
        {%- do replaceable.append(parent.base) -%}
        {%- if parent.rebuild -%}
            {%- do conditions.append("exists (select 1 from " ~ ref(parent.base) ~ " as changes where changes._dap_loaded_at > " ~ marker ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in replaceable | unique -%}
        {%- set base = ref(name) -%}
        {%- do conditions.append("(select min(loaded._dap_loaded_at) from " ~ base ~ " as loaded) > " ~ marker) -%}
        {%- set emptied = cd1_incremental_snapshot_since(name, marker) -%}
        {%- if emptied -%}
            {%- do conditions.append("(not exists (select 1 from " ~ base ~ ") and " ~ emptied ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set query -%}
        select case when {{ conditions | join('\n            or ') }} then 1 else 0 end as rebuild
    {%- endset -%}
    {%- set rebuild = run_query(query).columns[0].values()[0] | int == 1 -%}
    {{ return({'mode': 'rebuild' if rebuild else 'changes', 'marker': marker, 'spec': spec}) }}
{%- endmacro %}

{#- SQL condition: the raw table behind a base model had a completed snapshot job that finished
    after the marker (from the loader's sync log); none when there is no sync log to ask. -#}
{% macro cd1_incremental_snapshot_since(base_name, marker) -%}
    {%- set node = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', base_name) | first -%}
    {%- if node is not defined or node is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for source_id in node.depends_on.nodes if source_id.startswith('source.') -%}
        {%- set source_node = graph.sources.get(source_id) -%}
        {%- set sync_log = api.Relation.create(database=source_node.database, schema=source_node.schema, identifier='_dap_sync_log') -%}
        {%- set loads = api.Relation.create(database=source_node.database, schema=source_node.schema, identifier='_dlt_loads') -%}
        {%- if cd2_source_exists(sync_log) and cd2_load_tracking(sync_log, loads) -%}
            {%- set condition -%}
            exists (
                select 1
                from {{ sync_log }} as sync_log
                where lower(sync_log.table_name) = lower('{{ source_node.name }}')
                    and sync_log.load_kind = 'snapshot'
                    and sync_log.job_seq in (
                        select completed_jobs.job_seq
                        from ({{ cd2_completed_jobs(sync_log, loads, source_node.name) }}) as completed_jobs
                    )
                    and sync_log.finished_at > {{ marker }}
            )
            {%- endset -%}
            {{ return(condition) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{#- A query of the relation's highest _dap_loaded_at as text that casts back exactly
    (dispatched). -#}
{% macro cd1_marker_text_sql(relation) -%}
    {{ return(adapter.dispatch('cd1_marker_text_sql', 'cd2_warehouse')(relation)) }}
{%- endmacro %}

{% macro default__cd1_marker_text_sql(relation) -%}
    select cast(max(_dap_loaded_at) as {{ dbt.type_string() }}) as marker from {{ relation }}
{%- endmacro %}

{% macro postgres__cd1_marker_text_sql(relation) -%}
    {#- text of a timestamptz carries its UTC offset, so it casts back to the same instant #}
    select cast(max(_dap_loaded_at) as text) as marker from {{ relation }}
{%- endmacro %}

{#- The SQL literal of a marker read by cd1_marker_text_sql (dispatched). -#}
{% macro cd1_marker_literal(text) -%}
    {%- if text is not string or "'" in text -%}
        {{ exceptions.raise_compiler_error("cd1_marker_literal: argument 'text' must be a timestamp text, got " ~ text) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_marker_literal', 'cd2_warehouse')(text)) }}
{%- endmacro %}

{% macro default__cd1_marker_literal(text) -%}
    {{ return("cast('" ~ text ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{% macro postgres__cd1_marker_literal(text) -%}
    {{ return("cast('" ~ text ~ "' as timestamp with time zone)") }}
{%- endmacro %}
