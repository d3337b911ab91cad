{#-
    The current state of one CD2 table, from its append-only raw table.

    Raw holds every record the loader received: snapshot rows, incremental rows, duplicates and
    delete tombstones (meta_action = 'D'). This keeps, per key, the latest record by (meta_ts,
    _dap_change_order), tombstones included (staging drops them). A snapshot is a full state: when
    the snapshot arguments say so, records loaded before the newest snapshot job are ignored, so a
    key missing from that snapshot is gone.

    Incremental runs read raw rows whose _dap_job_seq (the loader's per-table job sequence, the load
    marker) is >= the highest one already processed: re-reading the boundary job is what makes a
    rerun converge (a job loads in several COPY transactions, so a run may have seen part of it).
    Of the boundary job only the records not stored yet are taken (matched on _dap_change_order,
    unique per record): the first run after a snapshot must not sort and rewrite the whole snapshot
    again. The re-read is skipped altogether when the loader's sync log proves the boundary job
    complete: it counts the job's records, each with its own _dap_change_order, so a model holding
    as many rows from that job holds every one of them (the usual case after a snapshot without
    duplicates; measured on 1M submissions it saves most of that first run). A record older than
    the version already stored (late arrival) is skipped. A new
    snapshot job, or a table below `incremental_min_rows` raw rows that is not listed in
    `incremental_tables`, empties the table first (pre-hook), so the run rebuilds from the newest
    snapshot exactly as --full-refresh would.

    Raw columns are only ever added or widened (loader/schema.py reconcile_types), so the model
    follows raw with on_schema_change='sync_all_columns': a new column is added, a widened one
    altered to raw's type (integer to bigint, anything to text). A catalog column raw lacks (the
    API never served it) is NULL, cast to the catalog type, so the model always has every
    catalog column: as it had when built empty before its table was first loaded, and as the
    staging view over it reads.
    Only jobs whose dlt load package completed count (cd2_completed_jobs: the job's sync-log row
    names a package recorded in _dlt_loads): rows of a load still running, or of one killed before
    it completed, are ignored. The newest snapshot comes from the same sync-log rows, so a snapshot
    of a table that was empty at that moment (no raw rows at all) still supersedes everything
    before it and leaves the current state empty.

    The model is indexed on its key (unique: one row per key), on _dap_job_seq (the processed
    marker, and the boundary job's stored rows) and on _dap_change_order (no longer used by the
    plans measured since the boundary lookup reads by _dap_job_seq; kept until dropping it is
    measured), and on _dap_loaded_at (the change marker: incremental marts read the rows loaded
    after theirs, and its lowest value, macros/cd1/cd1_incremental.sql); dbt creates the indexes when it
    creates the table, so an existing table gets them at its next --full-refresh. A run that
    builds the table anew vacuums it where the warehouse has VACUUM
    (cd2_current_state_maintenance_sql): the next run counts the boundary job's stored rows from
    the index alone. The loader
    indexes raw tables on _dap_job_seq, so an incremental run reads only the new jobs.
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
            "{{ cd2_current_state_plan_sql() }}",
        ],
        post_hook=[{'sql': '{{ cd2_current_state_maintenance_sql(this) }}', 'transaction': false}],
    ) }}
    {%- if not cd2_source_exists(raw) %}
{{ cd2_empty_from_source(source_name, table_name) }}
    {%- else %}
    {%- set tracked = cd2_load_tracking(sync_log, loads) %}
with
{%- if tracked %}

completed_jobs as (
    {{ cd2_completed_jobs(sync_log, loads, table_name) | indent(4) }}
),
{%- endif %}
{%- if is_incremental() %}

processed as (
    select coalesce(max(_dap_job_seq), -1) as job_seq
    from {{ this }}
),
{%- set job_sizes_known = model.resource_type != 'unit_test' and cd2_source_exists(sync_log) %}
{%- if job_sizes_known %}

boundary_logged as (
    select
        count(*) as jobs,
        max(sync_log.{{ adapter.quote('rows') }}) as records
    from {{ sync_log }} as sync_log
    cross join processed
    where lower(sync_log.table_name) = lower('{{ table_name }}')
        and sync_log.job_seq = processed.job_seq
        and sync_log.status in ('ok', 'resnapshot')
),

boundary_stored as (
    select count(*) as records
    from {{ this }} as stored
    cross join processed
    where stored._dap_job_seq = processed.job_seq
),

boundary_complete as (
    select
        case
            when boundary_logged.jobs = 1 and boundary_logged.records = boundary_stored.records
                then 1
            else 0
        end as is_complete
    from boundary_logged
    cross join boundary_stored
),
{%- endif %}
{%- endif %}

newest_snapshot as (
    {%- if snapshots_are_full_state and tracked %}
    {#- from the sync log: a snapshot of an empty table has no raw rows #}
    select max(completed_jobs.job_seq) as job_seq
    from completed_jobs
    where completed_jobs.load_kind = 'snapshot'
    {%- elif snapshots_are_full_state %}
    {%- if is_incremental() %}
    {#- only a snapshot after the processed jobs matters (an older one precedes every record read
        below); the filter on the job sequence alone lets the raw table's index serve it #}
    select max(
        case when raw_records._dap_load_kind = 'snapshot' then raw_records._dap_job_seq end
    ) as job_seq
    from {{ raw }} as raw_records
    cross join processed
    where raw_records._dap_job_seq > processed.job_seq
    {%- else %}
    select max(_dap_job_seq) as job_seq
    from {{ raw }}
    where _dap_load_kind = 'snapshot'
    {%- endif %}
    {%- else %}
    {#- a log (web_logs): its snapshot covers a retention window, not the full state -#}
    select cast(null as {{ dbt.type_bigint() }}) as job_seq
    {%- endif %}
),

new_records as (
    select raw_records.*
    from {{ raw }} as raw_records
    cross join newest_snapshot
    {%- if is_incremental() %}
    cross join processed
    {%- endif %}
    where (newest_snapshot.job_seq is null or raw_records._dap_job_seq >= newest_snapshot.job_seq)
    {%- if tracked %}
        and raw_records._dap_job_seq in (select completed_jobs.job_seq from completed_jobs)
    {%- endif %}
    {%- if is_incremental() %}
        and raw_records._dap_job_seq > processed.job_seq

    union all

    {#- the boundary job again, without the records already stored #}
    select raw_records.*
    from {{ raw }} as raw_records
    cross join newest_snapshot
    cross join processed
    where (newest_snapshot.job_seq is null or raw_records._dap_job_seq >= newest_snapshot.job_seq)
        and raw_records._dap_job_seq = processed.job_seq
        {%- if tracked %}
        and raw_records._dap_job_seq in (select completed_jobs.job_seq from completed_jobs)
        {%- endif %}
        {%- if job_sizes_known %}
        {#- no column of the outer query: PostgreSQL evaluates it once and skips the scan #}
        and (select is_complete from boundary_complete) = 0
        {%- endif %}
        and not exists (
            {#- a stored record of the boundary job has its job sequence: the redundant filter,
                a value known before the scan, lets the lookup read just that job's rows by the
                index on it (measured on 1M submissions: 0.11 s instead of 0.8 s) #}
            select 1
            from {{ this }} as stored
            where stored._dap_change_order = raw_records._dap_change_order
                and stored._dap_job_seq = (select processed_job.job_seq from processed as processed_job)
        )
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
    {%- if is_incremental() %}
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


{#- Pre-hook SQL: empty the model before an incremental run that must rebuild it (a completed
    snapshot job newer than anything processed, empty snapshots included, or a small table where rebuilding is cheaper than merging,
    unless var `incremental_tables` lists it). -#}
{% macro cd2_current_state_reset_sql(source_name, table_name, snapshots_are_full_state) -%}
    {%- set raw = source(source_name, table_name) -%}
    {%- if model.resource_type == 'unit_test' or not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not is_incremental() or not cd2_source_exists(raw) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set always_merge = var('incremental_tables', []) -%}
    {%- if always_merge is string or always_merge is not iterable -%}
        {{ exceptions.raise_compiler_error("cd2_current_state: var 'incremental_tables' must be a list of table names, got " ~ always_merge) }}
    {%- endif -%}
    {%- set min_rows = var('incremental_min_rows', 1000000) | int -%}
    {%- set conditions = [] -%}
    {%- if table_name not in always_merge -%}
        {%- set small -%}
        (
            select count(*) from (select 1 as present from {{ raw }} {{ cd2_limit(min_rows) }}) as sampled
        ) < {{ min_rows }}
        {%- endset -%}
        {%- do conditions.append(small) -%}
    {%- endif -%}
    {%- if snapshots_are_full_state -%}
        {#- a snapshot job newer than the processed ones. The hook renders right before it runs,
            so the processed marker is read now and written as a literal: PostgreSQL estimates a
            comparison with a parameter at a third of the table, and then read all of raw
            (measured: 2.7 s on 10M submissions) instead of the new jobs' block ranges -#}
        {%- set marker_query -%}
            select coalesce(max(_dap_job_seq), -1) as job_seq from {{ this }}
        {%- endset -%}
        {%- set marker = run_query(marker_query).columns[0].values()[0] | int -%}
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
        {%- do conditions.append(newer_snapshot) -%}
    {%- endif -%}
    {%- if not conditions -%}
        {{ return('') }}
    {%- endif -%}
    delete from {{ this }}
    where {{ conditions | map('trim') | join(' or ') }}
{%- endmacro %}


{#- Pre-hook SQL: planner settings for the rest of an incremental run's transaction. Every read
    of an incremental run is narrow (the new jobs' block ranges in raw, the boundary job's rows
    and the changed keys in the model), but filters on the processed marker compare with a value
    PostgreSQL only knows at run time, which it estimates at a third of the table; on 10M
    submissions it then read the whole model table (2.7 s of a 4.2 s select, 2.1 s with index
    scans). `SET LOCAL` ends with the transaction, so nothing else is affected; a full refresh,
    which reads everything, keeps the default plans. Nothing on other engines. -#}
{% macro cd2_current_state_plan_sql() -%}
    {%- if not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd2_current_state_plan_sql', 'cd2_warehouse')()) }}
{%- endmacro %}

{% macro default__cd2_current_state_plan_sql() -%}
{%- endmacro %}

{% macro postgres__cd2_current_state_plan_sql() -%}
    set local enable_seqscan = off
{%- endmacro %}


{#- Post-hook SQL, outside the transaction: table maintenance after a run that built the table
    anew (first build, --full-refresh). On PostgreSQL a VACUUM marks the pages all-visible, so the
    next incremental run counts the boundary job's stored rows by an index-only scan (measured on
    1M submissions: 0.08 s instead of 0.46 s, for a VACUUM of 0.44 s in the rebuild). Autovacuum
    would get there too, but only at its next visit. Incremental runs skip it: there VACUUM must
    scan every index for the rows the merge replaced (0.26 s of a 0.75 s run), while the boundary
    job is small. Nothing on engines without VACUUM. -#}
{% macro cd2_current_state_maintenance_sql(relation) -%}
    {%- if is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd2_current_state_maintenance_sql', 'cd2_warehouse')(relation)) }}
{%- endmacro %}

{% macro default__cd2_current_state_maintenance_sql(relation) -%}
{%- endmacro %}

{% macro postgres__cd2_current_state_maintenance_sql(relation) -%}
    vacuum {{ relation }}
{%- endmacro %}


{#- The (name, data_type) pairs of the catalog columns (the generated source YAML) that the raw
    table lacks. Empty while parsing and in unit tests. -#}
{% macro cd2_missing_catalog_columns(source_name, table_name, raw) -%}
    {%- set missing = [] -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set present = [] -%}
        {%- for column in adapter.get_columns_in_relation(raw) -%}
            {%- do present.append(column.name | lower) -%}
        {%- endfor -%}
        {%- set node = graph.sources.values()
            | selectattr('source_name', 'equalto', source_name)
            | selectattr('name', 'equalto', table_name) | first -%}
        {%- if present and node is defined and node is not none -%}
            {%- for column in node.columns.values() -%}
                {%- if column.name | lower not in present -%}
                    {%- do present.append(column.name | lower) -%}
                    {%- do missing.append((column.name, column.data_type)) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(missing) }}
{%- endmacro %}
