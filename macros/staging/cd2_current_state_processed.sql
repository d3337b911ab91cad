{#- What an incremental run of cd2_current_state has processed, read when the model renders and
    returned as SQL text to write into the model: {'marker': the highest _dap_job_seq the model
    holds ('-1' when it is empty, when the reset pre-hook will empty it, and outside incremental
    runs), 'boundary_complete': whether the sync log proves that the model holds every record of
    that job (the log counts the job's records, each with its own _dap_change_order, and the model
    holds as many from it), so the boundary job need not be read again}.

    Literals, not subqueries: PostgreSQL estimates a comparison with a value it learns only at run
    time at a fixed fraction of the table, and then read whole tables for a small increment. The
    reset decision is the pre-hook's own (cd2_current_state_reset_conditions with the same
    marker); a load that completes between this render and the hook can only add a newer snapshot,
    which supersedes every job up to this marker, so the two stay consistent. In unit tests the
    marker stays a subquery on the `this` fixture and the boundary is always re-read. -#}
{% macro cd2_current_state_processed(source_name, table_name, snapshots_are_full_state) -%}
    {%- if not is_incremental() -%}
        {{ return({'marker': '-1', 'boundary_complete': true}) }}
    {%- endif -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return({'marker': '(select coalesce(max(_dap_job_seq), -1) from ' ~ this ~ ')', 'boundary_complete': false}) }}
    {%- endif -%}
    {%- set marker = cd2_current_state_marker() -%}
    {%- if marker == -1 -%}
        {{ return({'marker': '-1', 'boundary_complete': true}) }}
    {%- endif -%}
    {%- set raw = source(source_name, table_name) -%}
    {%- set sync_log = api.Relation.create(database=raw.database, schema=raw.schema, identifier='_dap_sync_log') -%}
    {%- set job_sizes_known = cd2_source_exists(sync_log) -%}
    {%- set resets = cd2_current_state_reset_conditions(source_name, table_name, snapshots_are_full_state, marker) -%}
    {%- set query -%}
        select
            {%- if resets %}
            case when {{ resets | join(' or ') }} then 1 else 0 end as resets,
            {%- else %}
            0 as resets,
            {%- endif %}
            {%- if job_sizes_known %}
            (
                select count(*)
                from {{ sync_log }} as sync_log
                where lower(sync_log.table_name) = lower('{{ table_name }}')
                    and sync_log.job_seq = {{ marker }}
                    and sync_log.status in ('ok', 'resnapshot')
            ) as logged_jobs,
            (
                select max(sync_log.{{ adapter.quote('rows') }})
                from {{ sync_log }} as sync_log
                where lower(sync_log.table_name) = lower('{{ table_name }}')
                    and sync_log.job_seq = {{ marker }}
                    and sync_log.status in ('ok', 'resnapshot')
            ) as logged_records,
            {%- else %}
            0 as logged_jobs,
            cast(null as {{ dbt.type_bigint() }}) as logged_records,
            {%- endif %}
            (
                select count(*) from {{ this }} as stored where stored._dap_job_seq = {{ marker }}
            ) as stored_records
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- if row['resets'] | int == 1 -%}
        {{ return({'marker': '-1', 'boundary_complete': true}) }}
    {%- endif -%}
    {%- set complete = row['logged_jobs'] | int == 1 and row['logged_records'] is not none
        and row['logged_records'] | int == row['stored_records'] | int -%}
    {{ return({'marker': marker | string, 'boundary_complete': complete}) }}
{%- endmacro %}


{#- The highest _dap_job_seq the model (`this`) holds, -1 when it is empty: a number read now. -#}
{% macro cd2_current_state_marker() -%}
    {%- set query -%}
        select coalesce(max(_dap_job_seq), -1) as job_seq from {{ this }}
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0] | int) }}
{%- endmacro %}
