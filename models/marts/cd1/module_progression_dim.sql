{#- Incremental (macros/cd1/cd1_incremental.sql): one row per context module progression, from that row alone. -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__context_module_progressions',
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
progressions as (
    {{ cd1_marked(ref('stg_canvas__context_module_progressions'), ref('base_canvas__context_module_progressions')) | indent(4) }}
),

final as (
    select
        {{ cd1_global_id('progressions.id') }} as id,
        progressions.id as canvas_id,
        {{ cd1_global_id('progressions.context_module_id') }} as module_id,
        {{ cd1_global_id('progressions.user_id') }} as user_id,
        cast(
            case
                when progressions.collapsed then 'collapsed'
                when not progressions.collapsed then 'not_collapsed'
                else 'unspecified'
            end as varchar(256)
        ) as collapsed,
        cast(
            case
                when progressions.{{ adapter.quote('current') }} then 'current'
                when not progressions.{{ adapter.quote('current') }} then 'not_current'
                else 'unspecified'
            end as varchar(256)
        ) as is_current,
        cast({{ cd1_enum('progressions.workflow_state') }} as varchar(256)) as workflow_state,
        cast(progressions.current_position as integer) as current_position,
        cast(progressions.lock_version as integer) as lock_version,
        {{ cd1_timestamp('progressions.created_at') }} as created_at,
        {{ cd1_timestamp('progressions.completed_at') }} as completed_at,
        {{ cd1_timestamp('progressions.evaluated_at') }} as evaluated_at,
        {{ cd1_timestamp('progressions.updated_at') }} as updated_at,
        {{ cd1_marker(['progressions']) }} as _dap_loaded_at
    from progressions
    {{ cd1_incremental_filter(plan, 'progressions.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
