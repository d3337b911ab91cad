{#- Incremental (macros/cd1/cd1_incremental.sql): one row per discussion entrie, from that row alone. -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__discussion_entries',
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
entries as (
    {{ cd1_marked(ref('stg_canvas__discussion_entries'), ref('base_canvas__discussion_entries')) | indent(4) }}
),

final as (
    select
        {{ cd1_global_id('entries.id') }} as id,
        entries.id as canvas_id,
        cast(entries.message as text) as message,
        cast({{ cd1_enum('entries.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('entries.created_at') }} as created_at,
        {{ cd1_timestamp('entries.updated_at') }} as updated_at,
        {{ cd1_timestamp('entries.deleted_at') }} as deleted_at,
        cast(entries.depth as integer) as depth,
        {{ cd1_marker(['entries']) }} as _dap_loaded_at
    from entries
    {{ cd1_incremental_filter(plan, 'entries.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
