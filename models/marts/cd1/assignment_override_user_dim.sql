{#- One row per live ad hoc student of an assignment override (assignment_override_students).
    Rows Canvas soft-deleted (workflow_state 'deleted') are left out: CD1 has no column to tell them
    apart. -#}
with

override_students as (
    select * from {{ ref('stg_canvas__assignment_override_students') }}
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
        {{ cd1_timestamp('override_students.updated_at') }} as updated_at
    from override_students
    where override_students.workflow_state <> 'deleted'
)

select * from final
