{#- Incremental (macros/cd1/cd1_incremental.sql): one row per grading period score, from that row alone. -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__scores',
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
scores as (
    {{ cd1_marked(ref('stg_canvas__scores'), ref('base_canvas__scores')) | indent(4) }}
),

final as (
    select
        {{ cd1_global_id('scores.id') }} as id,
        scores.id as canvas_id,
        {{ cd1_global_id('scores.enrollment_id') }} as enrollment_id,
        {{ cd1_global_id('scores.grading_period_id') }} as grading_period_id,
        {{ cd1_timestamp('scores.created_at') }} as created_at,
        {{ cd1_timestamp('scores.updated_at') }} as updated_at,
        cast({{ cd1_enum('scores.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_marker(['scores']) }} as _dap_loaded_at
    from scores
    where scores.grading_period_id is not null
    {{ cd1_incremental_filter(plan, 'scores.id', 'and') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
