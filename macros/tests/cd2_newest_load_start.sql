{#- When the newest completed `cd2 load` started, as a timestamp literal's text (with its time
    zone), or none when no raw schema has a sync log to tell (not loaded yet, a loader before
    load ids). The newest load is the run (sync-log `run_id`) of the latest-finished table whose
    job completed (its package is in dlt's `_dlt_loads`, as in cd2_completed_jobs); its start is
    the earliest `started_at` of that run's tables. The loader stamps every record it writes with
    `_dap_loaded_at` after its table's start, so the records of that load, and mart rows built
    from them, are exactly those at or after it. Read once per test, as a literal, so that
    PostgreSQL estimates the filter from the column's statistics. -#}
{% macro cd2_newest_load_start() -%}
    {%- set schemas = [] -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.schema | lower not in schemas -%}
            {%- do schemas.append(node.schema | lower) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not schemas -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tracked_query -%}
        select lower(table_schema) as schema_name
        from information_schema.columns
        where lower(table_schema) in ('{{ schemas | join("', '") }}')
            and lower(table_name) in ('_dap_sync_log', '_dlt_loads')
            and lower(column_name) = 'load_id'
        group by lower(table_schema)
        having count(distinct lower(table_name)) = 2
    {%- endset -%}
    {%- set tracked = run_query(tracked_query).columns[0].values() | list -%}
    {%- if not tracked -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start_query -%}
        with

        completed_runs as (
            {%- for schema in tracked | sort %}
            select sync_log.run_id, sync_log.started_at, sync_log.finished_at
            from {{ adapter.quote(schema) }}._dap_sync_log as sync_log
            where sync_log.status in ('ok', 'resnapshot')
                and sync_log.load_id in (
                    select loads.load_id from {{ adapter.quote(schema) }}._dlt_loads as loads
                    where loads.status = 0
                )
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        ),

        newest_run as (
            select max(run_id) as run_id
            from completed_runs
            where finished_at = (select max(finished_at) from completed_runs)
        )

        select cast(min(completed_runs.started_at) as {{ dbt.type_string() }}) as started_at
        from completed_runs
        inner join newest_run
            on newest_run.run_id = completed_runs.run_id
    {%- endset -%}
    {{ return(run_query(start_query).columns[0].values()[0]) }}
{%- endmacro %}
