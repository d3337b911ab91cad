{#- Pre-hook SQL of cd2_current_state: empty the model before an incremental run that must rebuild
    it (a completed snapshot job newer than anything processed, empty snapshots included, or a
    small table where rebuilding is cheaper than merging, unless var `incremental_tables` lists
    it). The hook renders right before it runs, so the processed marker is read now and written
    as a literal. -#}
{% macro cd2_current_state_reset_sql(source_name, table_name, snapshots_are_full_state) -%}
    {%- if model.resource_type == 'unit_test' or not execute or not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set conditions = cd2_current_state_reset_conditions(source_name, table_name, snapshots_are_full_state, cd2_current_state_marker()) -%}
    {%- if not conditions -%}
        {{ return('') }}
    {%- endif -%}
    delete from {{ this }}
    where {{ conditions | join(' or ') }}
{%- endmacro %}


{#- The SQL conditions (a list; any true means reset) under which an incremental run of
    cd2_current_state rebuilds, given the processed marker (a number). Empty when the raw table
    does not exist. -#}
{% macro cd2_current_state_reset_conditions(source_name, table_name, snapshots_are_full_state, marker) -%}
    {%- set raw = source(source_name, table_name) -%}
    {%- set conditions = [] -%}
    {%- if not cd2_source_exists(raw) -%}
        {{ return(conditions) }}
    {%- endif -%}
    {%- set always_merge = var('incremental_tables', []) -%}
    {%- if always_merge is string or always_merge is not iterable -%}
        {{ exceptions.raise_compiler_error("cd2_current_state: var 'incremental_tables' must be a list of table names, got " ~ always_merge) }}
    {%- endif -%}
    {%- set min_rows = var('incremental_min_rows', 100000) | int -%}
    {%- if table_name not in always_merge -%}
        {%- set small -%}
        (
            select count(*) from (select 1 as present from {{ raw }} {{ cd2_limit(min_rows) }}) as sampled
        ) < {{ min_rows }}
        {%- endset -%}
        {%- do conditions.append(small | trim) -%}
    {%- endif -%}
    {%- if snapshots_are_full_state -%}
        {%- set sync_log = api.Relation.create(database=raw.database, schema=raw.schema, identifier='_dap_sync_log') -%}
        {%- set loads = api.Relation.create(database=raw.database, schema=raw.schema, identifier='_dlt_loads') -%}
        {%- if cd2_load_tracking(sync_log, loads) -%}
        {#- completed snapshot jobs only, empty ones included (they have no raw rows) -#}
        {%- set newer_snapshot -%}
        (
            select max(completed_jobs.job_seq)
            from ({{ cd2_completed_jobs(sync_log, loads, table_name) }}) as completed_jobs
            where completed_jobs.load_kind = 'snapshot'
                and completed_jobs.job_seq > {{ marker }}
        ) is not null
        {%- endset -%}
        {%- else -%}
        {%- set newer_snapshot -%}
        (
            select max(
                case when raw_records._dap_load_kind = 'snapshot' then raw_records._dap_job_seq end
            )
            from {{ raw }} as raw_records
            where raw_records._dap_job_seq > {{ marker }}
        ) is not null
        {%- endset -%}
        {%- endif -%}
        {%- do conditions.append(newer_snapshot | trim) -%}
    {%- endif -%}
    {{ return(conditions) }}
{%- endmacro %}
