{#- One row per live ad hoc student of an assignment override (same rows as
    assignment_override_user_dim), with the assignment's course context.
    Incremental (macros/cd1/cd1_incremental.sql): a change of the assignment, of the quiz or of
    their course (account, term) recomputes the row. The stamps come from the base models (the
    intermediate models do not carry them). -#}
{%- set spec = {
    'unique_key': 'assignment_override_user_id',
    'driving': 'base_canvas__assignment_override_students',
    'parents': [
        {'base': 'base_canvas__assignments', 'via': [['base_canvas__assignment_override_students', 'assignment_id']]},
        {'base': 'base_canvas__quizzes', 'via': [['base_canvas__assignment_override_students', 'quiz_id']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__assignments', 'context_id'], ['base_canvas__assignment_override_students', 'assignment_id']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__quizzes', 'context_id'], ['base_canvas__assignment_override_students', 'quiz_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
override_students as (
    {{ cd1_marked(ref('stg_canvas__assignment_override_students'), ref('base_canvas__assignment_override_students')) | indent(4) }}
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
    {{ cd1_incremental_filter(plan, 'override_students.id', 'and') }}
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
        {{ cd1_global_id('students_in_context.user_id') }} as user_id,
        {{ cd1_marker(['students_in_context', 'assignment_loaded', 'quiz_loaded', 'course_loaded']) }} as _dap_loaded_at
    from students_in_context
    left join {{ ref('base_canvas__assignments') }} as assignment_loaded
        on assignment_loaded.id = students_in_context.assignment_id
    left join {{ ref('base_canvas__quizzes') }} as quiz_loaded
        on quiz_loaded.id = students_in_context.quiz_id
    left join {{ ref('base_canvas__courses') }} as course_loaded
        on course_loaded.id = students_in_context.course_id
)

select * from final
{{- cd1_incremental_deletions(plan) }}
