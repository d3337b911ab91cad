with

assignments as (
    select * from {{ ref('stg_canvas__assignments') }}
),

assignment_context as (
    select * from {{ ref('int_assignments_joined_to_courses') }}
),

external_tools as (
    select * from {{ ref('int_assignments_joined_to_external_tools') }}
),

final as (
    select
        {{ cd1_global_id('assignments.id') }} as assignment_id,
        {{ cd1_global_id('assignment_context.course_id') }} as course_id,
        {{ cd1_global_id('assignment_context.course_account_id') }} as course_account_id,
        {{ cd1_global_id('assignment_context.enrollment_term_id') }} as enrollment_term_id,
        cast(assignments.points_possible as double precision) as points_possible,
        cast(assignments.peer_review_count as integer) as peer_review_count,
        {{ cd1_global_id('assignments.assignment_group_id') }} as assignment_group_id,
        {{ cd1_global_id('external_tools.external_tool_id') }} as external_tool_id
    from assignments
    left join assignment_context
        on assignment_context.assignment_id = assignments.id
    left join external_tools
        on external_tools.assignment_id = assignments.id
)

select * from final
