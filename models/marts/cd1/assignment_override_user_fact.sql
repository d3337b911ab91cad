{#- One row per live ad hoc student of an assignment override (same rows as
    assignment_override_user_dim), with the assignment's course context. -#}
with

override_students as (
    select * from {{ ref('stg_canvas__assignment_override_students') }}
),

assignment_context as (
    select * from {{ ref('int_assignments_joined_to_courses') }}
),

quiz_context as (
    select * from {{ ref('int_quizzes_joined_to_courses') }}
),

students_in_context as (
    select
        override_students.*,
        {#- coalesce (all three): an ungraded quiz has no assignment; its course is the quiz's -#}
        coalesce(assignment_context.course_id, quiz_context.course_id) as course_id,
        coalesce(assignment_context.course_account_id, quiz_context.course_account_id) as course_account_id,
        coalesce(assignment_context.enrollment_term_id, quiz_context.enrollment_term_id) as enrollment_term_id,
        assignment_context.assignment_group_id
    from override_students
    left join assignment_context
        on assignment_context.assignment_id = override_students.assignment_id
    left join quiz_context
        on quiz_context.quiz_id = override_students.quiz_id
    where override_students.workflow_state <> 'deleted'
),

final as (
    select
        {{ cd1_global_id('students_in_context.id') }} as assignment_override_user_id,
        {{ cd1_global_id('students_in_context.course_account_id') }} as account_id,
        {{ cd1_global_id('students_in_context.assignment_group_id') }} as assignment_group_id,
        {{ cd1_global_id('students_in_context.assignment_id') }} as assignment_id,
        {{ cd1_global_id('students_in_context.assignment_override_id') }} as assignment_override_id,
        {{ cd1_global_id('students_in_context.course_id') }} as course_id,
        {{ cd1_global_id('students_in_context.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('students_in_context.quiz_id') }} as quiz_id,
        {{ cd1_global_id('students_in_context.user_id') }} as user_id
    from students_in_context
)

select * from final
