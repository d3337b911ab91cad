with

quizzes as (
    select * from {{ ref('stg_canvas__quizzes') }}
),

quiz_context as (
    select * from {{ ref('int_quizzes_joined_to_courses') }}
),

final as (
    select
        {{ cd1_global_id('quizzes.id') }} as quiz_id,
        cast(quizzes.points_possible as double precision) as points_possible,
        {#- coalesce: no time limit is -1 in CD1 -#}
        cast(coalesce(quizzes.time_limit, -1) as integer) as time_limit,
        {#- coalesce: unlimited attempts are -1 in CD1 (its documented default) -#}
        cast(coalesce(quizzes.allowed_attempts, -1) as integer) as allowed_attempts,
        cast(quizzes.unpublished_question_count as integer) as unpublished_question_count,
        cast(quizzes.question_count as integer) as question_count,
        {{ cd1_global_id('quiz_context.course_id') }} as course_id,
        {{ cd1_global_id('quizzes.assignment_id') }} as assignment_id,
        {{ cd1_global_id('quiz_context.course_account_id') }} as course_account_id,
        {{ cd1_global_id('quiz_context.enrollment_term_id') }} as enrollment_term_id
    from quizzes
    left join quiz_context
        on quiz_context.quiz_id = quizzes.id
)

select * from final
