{#- Which jobs of a raw table count: those whose dlt load package completed.

    dlt loads a package's files in several COPY transactions and records the package in
    _dlt_loads (status 0) only once every file is in. Rows of a package still loading (a dbt
    build that overlaps a load), or of one that never completed (a run killed during its COPYs
    whose pipelines folder was then lost), are in raw all the same. The loader writes each job's
    sync-log row (table, job sequence, load kind, rows) in the same package, with the package's
    load_id: a job counts once its sync-log row names a completed package. Sync-log rows written
    before the loader recorded load_id (NULL) count as complete.

    cd2_load_tracking says whether a raw schema has what this needs (a sync log with load_id, and
    _dlt_loads); without it (unit tests, warehouses not loaded since) every raw row counts, as
    before. -#}
{% macro cd2_load_tracking(sync_log, loads) -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd2_load_tracking', 'cd2_warehouse')(sync_log, loads)) }}
{%- endmacro %}

{% macro default__cd2_load_tracking(sync_log, loads) -%}
    {%- set query -%}
        select count(*) as found
        from information_schema.columns
        where lower(table_schema) = lower('{{ sync_log.schema }}')
            and lower(column_name) = 'load_id'
            and lower(table_name) in (lower('{{ sync_log.identifier }}'), lower('{{ loads.identifier }}'))
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0] | int == 2) }}
{%- endmacro %}

{#- A select of (job_seq, load_kind) of the table's jobs whose package completed (see above)
    before this dbt invocation started (run_started_at, against the loader's completion time in
    _dlt_loads.inserted_at, both UTC clocks): every model of one build sees the same loads. Without
    that cut a load completing mid-build would reach a parent's current state but not a driving
    table's that was built earlier, and an incremental mart, whose marker then passed the missed
    changes' _dap_loaded_at, would never read them. -#}
{% macro cd2_completed_jobs(sync_log, loads, table_name) -%}
    select
        sync_log.job_seq,
        sync_log.load_kind
    from {{ sync_log }} as sync_log
    {#- the sync log has the CD2 name (canvas_logs 'Action'), the source dlt's ('action') #}
    where lower(sync_log.table_name) = lower('{{ table_name }}')
        and sync_log.status in ('ok', 'resnapshot')
        and sync_log.job_seq is not null
        and (
            sync_log.load_id is null
            or sync_log.load_id in (
                select loads.load_id
                from {{ loads }} as loads
                where loads.status = 0
                    {#- one cut for the whole invocation: a package that completes while this
                        build runs counts from the next build on, in every model alike #}
                    and loads.inserted_at <= {{ cd2_run_started_at_literal() }}
            )
        )
{%- endmacro %}

{#- dbt's run_started_at (UTC) as a timestamp-with-time-zone literal. -#}
{% macro cd2_run_started_at_literal() -%}
    {{ return(cd1_marker_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f+00:00'))) }}
{%- endmacro %}
