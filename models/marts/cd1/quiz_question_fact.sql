with

quiz_questions as (
    select * from {{ ref('stg_canvas__quiz_questions') }}
),

quiz_context as (
    select * from {{ ref('int_quizzes_joined_to_courses') }}
),

final as (
    select
        {{ cd1_global_id('quiz_questions.id') }} as quiz_question_id,
        {{ cd1_global_id('quiz_questions.quiz_id') }} as quiz_id,
        {{ cd1_global_id('quiz_questions.quiz_group_id') }} as quiz_question_group_id,
        {{ cd1_global_id('quiz_questions.assessment_question_id') }} as assessment_question_id,
        {{ cd1_global_id('quiz_context.course_id') }} as course_id,
        {{ cd1_global_id('quiz_context.assignment_id') }} as assignment_id,
        {{ cd1_global_id('quiz_context.course_account_id') }} as course_account_id,
        {{ cd1_global_id('quiz_context.enrollment_term_id') }} as enrollment_term_id,
        cast({{ cd1_json_get_number('quiz_questions.question_data', 'points_possible') }} as double precision) as points_possible
    from quiz_questions
    left join quiz_context
        on quiz_context.quiz_id = quiz_questions.quiz_id
)

select * from final
