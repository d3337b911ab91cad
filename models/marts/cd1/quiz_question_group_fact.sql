with

quiz_groups as (
    select * from {{ ref('stg_canvas__quiz_groups') }}
),

quiz_context as (
    select * from {{ ref('int_quizzes_joined_to_courses') }}
),

final as (
    select
        {{ cd1_global_id('quiz_groups.id') }} as quiz_question_group_id,
        cast(quiz_groups.pick_count as integer) as pick_count,
        cast(quiz_groups.question_points as double precision) as question_points,
        {{ cd1_global_id('quiz_groups.quiz_id') }} as quiz_id,
        {{ cd1_global_id('quiz_context.course_id') }} as course_id,
        {{ cd1_global_id('quiz_context.assignment_id') }} as assignment_id,
        {{ cd1_global_id('quiz_context.course_account_id') }} as course_account_id,
        {{ cd1_global_id('quiz_context.enrollment_term_id') }} as enrollment_term_id
    from quiz_groups
    left join quiz_context
        on quiz_context.quiz_id = quiz_groups.quiz_id
)

select * from final
