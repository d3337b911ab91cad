{#- One row per live ad hoc student of an assignment override (assignment_override_students).
    Rows Canvas soft-deleted (workflow_state 'deleted') are left out: CD1 has no column to tell them
    apart.
    Incremental (macros/cd1/cd1_incremental.sql): from that row alone. -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__assignment_override_students',
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
override_students as (
    {{ cd1_marked(ref('stg_canvas__assignment_override_students'), ref('base_canvas__assignment_override_students')) | indent(4) }}
),

final as (
    select
        {{ cd1_global_id('override_students.id') }} as id,
        override_students.id as canvas_id,
        {{ cd1_global_id('override_students.assignment_id') }} as assignment_id,
        {{ cd1_global_id('override_students.assignment_override_id') }} as assignment_override_id,
        {{ cd1_global_id('override_students.quiz_id') }} as quiz_id,
        {{ cd1_global_id('override_students.user_id') }} as user_id,
        {{ cd1_timestamp('override_students.created_at') }} as created_at,
        {{ cd1_timestamp('override_students.updated_at') }} as updated_at,
        {{ cd1_marker(['override_students']) }} as _dap_loaded_at
    from override_students
    where override_students.workflow_state <> 'deleted'
    {{ cd1_incremental_filter(plan, 'override_students.id', 'and') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
