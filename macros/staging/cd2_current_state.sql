{#-
    The current state of one CD2 table, from its append-only raw table (the body of every base
    model; the choices and their measurements are in DECISIONS.md, "Current state (dbt)").

    Raw holds every record the loader received: snapshot rows, incremental rows, duplicates and
    delete tombstones (meta_action = 'D'). This keeps, per key, the latest record by (meta_ts,
    _dap_change_order), tombstones included (staging drops them). A snapshot is a full state: when
    the snapshot arguments say so, records loaded before the newest snapshot job are ignored, so a
    key missing from that snapshot is gone. Only jobs whose dlt load package completed count
    (cd2_completed_jobs), and the newest snapshot comes from the same sync-log rows, so a snapshot
    of a table that was empty at that moment still empties the current state.

    Incremental runs read raw rows whose _dap_job_seq (the loader's per-table job sequence, the
    load marker) is above the highest one already processed, plus the boundary job (that highest
    one) without the records already stored, matched on _dap_change_order: a job loads in several
    COPY transactions, so a run may have seen part of it, and re-reading it is what makes a rerun
    converge. The processed marker, and whether the sync log proves the boundary job complete (it
    counts the job's records; a model holding as many rows from that job holds all of them, and
    the re-read is left out), are read when the model renders (cd2_current_state_processed) and
    written into the SQL as literals, so PostgreSQL estimates the filters from statistics. A
    record older than the version already stored (late arrival) is skipped. The reset pre-hook
    (cd2_current_state_reset_sql) empties the table first when a newer snapshot job arrived or the
    table is small; the model then reads everything, exactly as --full-refresh would.

    Columns follow raw (on_schema_change='sync_all_columns': raw columns are only ever added or
    widened), plus every catalog column raw lacks, NULL (cd2_missing_catalog_columns). Indexes on
    the key (unique), _dap_job_seq, _dap_change_order and _dap_loaded_at (the change marker:
    incremental marts read the rows loaded after theirs, and its lowest value,
    macros/cd1/cd1_incremental.sql) are created with the table; a rebuild is vacuumed
    (cd2_current_state_maintenance_sql).
-#}
{% macro cd2_current_state(source_name, table_name, key, snapshots_are_full_state=true) -%}
    {%- for arg_name, arg in [('source_name', source_name), ('table_name', table_name), ('key', key)] -%}
        {%- if arg is not string or arg | length == 0 -%}
            {{ exceptions.raise_compiler_error("cd2_current_state: argument '" ~ arg_name ~ "' must be a non-empty string, got " ~ arg) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set raw = source(source_name, table_name) -%}
    {%- set sync_log = api.Relation.create(database=raw.database, schema=raw.schema, identifier='_dap_sync_log') -%}
    {%- set loads = api.Relation.create(database=raw.database, schema=raw.schema, identifier='_dlt_loads') -%}
    {{ config(
        materialized='incremental',
        unique_key=key,
        incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
        indexes=[
            {'columns': [key], 'unique': true},
            {'columns': ['_dap_job_seq']},
            {'columns': ['_dap_change_order']},
            {'columns': ['_dap_loaded_at']},
        ],
        pre_hook=[
            "{{ cd2_current_state_reset_sql('" ~ source_name ~ "', '" ~ table_name ~ "', " ~ snapshots_are_full_state ~ ") }}",
        ],
        post_hook=[
            "{{ cd2_current_state_lookup_indexes_sql(this) }}",
            {'sql': '{{ cd2_current_state_maintenance_sql(this) }}', 'transaction': false},
        ],
    ) }}
    {%- if not cd2_source_exists(raw) %}
{{ cd2_empty_from_source(source_name, table_name) }}
    {%- else %}
    {%- set tracked = cd2_load_tracking(sync_log, loads) %}
    {%- set processed = cd2_current_state_processed(source_name, table_name, snapshots_are_full_state) %}
    {%- set incremental = is_incremental() and processed.marker != '-1' %}
    {%- if is_incremental() %}
/* incremental run: {{ 'the records of jobs after ' ~ processed.marker if incremental else 'every record since the newest snapshot (the table is empty, or the reset pre-hook empties it)' }} */
    {%- endif %}
with
{%- if tracked %}

completed_jobs as (
    {{ cd2_completed_jobs(sync_log, loads, table_name) | indent(4) }}
),
{%- endif %}

newest_snapshot as (
    {%- if snapshots_are_full_state and tracked %}
    {#- from the sync log: a snapshot of an empty table has no raw rows #}
    select max(completed_jobs.job_seq) as job_seq
    from completed_jobs
    where completed_jobs.load_kind = 'snapshot'
    {%- elif snapshots_are_full_state %}
    {#- only a snapshot after the processed jobs matters (an older one precedes every record read
        below); the filter on the job sequence alone lets the raw table's index serve it #}
    select max(
        case when raw_records._dap_load_kind = 'snapshot' then raw_records._dap_job_seq end
    ) as job_seq
    from {{ raw }} as raw_records
    where raw_records._dap_job_seq > {{ processed.marker }}
    {%- else %}
    {#- a log (web_logs): its snapshot covers a retention window, not the full state -#}
    select cast(null as {{ dbt.type_bigint() }}) as job_seq
    {%- endif %}
),

new_records as (
    select raw_records.*
    from {{ raw }} as raw_records
    cross join newest_snapshot
    where (newest_snapshot.job_seq is null or raw_records._dap_job_seq >= newest_snapshot.job_seq)
    {%- if tracked %}
        and raw_records._dap_job_seq in (select completed_jobs.job_seq from completed_jobs)
    {%- endif %}
    {%- if incremental %}
        and raw_records._dap_job_seq > {{ processed.marker }}
    {%- if not processed.boundary_complete %}

    union all

    {#- the boundary job again, without the records already stored #}
    select raw_records.*
    from {{ raw }} as raw_records
    cross join newest_snapshot
    where (newest_snapshot.job_seq is null or raw_records._dap_job_seq >= newest_snapshot.job_seq)
        and raw_records._dap_job_seq = {{ processed.marker }}
        {%- if tracked %}
        and raw_records._dap_job_seq in (select completed_jobs.job_seq from completed_jobs)
        {%- endif %}
        and not exists (
            {#- the redundant filter on the job sequence lets the lookup read just that job's
                stored rows by the index on it #}
            select 1
            from {{ this }} as stored
            where stored._dap_change_order = raw_records._dap_change_order
                and stored._dap_job_seq = {{ processed.marker }}
        )
    {%- endif %}
    {%- endif %}
),

latest_records as (
    {{ cd2_latest_per_key('new_records', key) | indent(4) }}
),

final as (
    select
        latest_records.*
        {%- for name, data_type in cd2_missing_catalog_columns(source_name, table_name, raw) %},
        cast(null as {{ data_type or dbt.type_string() }}) as {{ adapter.quote(name) }}
        {%- endfor %}
    from latest_records
    {%- if incremental %}
    where not exists (
        select 1
        from {{ this }} as existing
        where existing.{{ adapter.quote(key) }} = latest_records.{{ adapter.quote(key) }}
            and (
                existing.meta_ts > latest_records.meta_ts
                or (
                    existing.meta_ts = latest_records.meta_ts
                    and existing._dap_change_order > latest_records._dap_change_order
                )
            )
    )
    {%- endif %}
)

select * from final
    {%- endif %}
{%- endmacro %}
