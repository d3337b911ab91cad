with

answers as (
    select * from {{ ref('int_quiz_question_answers_exploded') }}
),

quiz_context as (
    select * from {{ ref('int_quizzes_joined_to_courses') }}
),

final as (
    select
        {{ cd1_surrogate_id(['answers.quiz_question_id', 'answers.answer_position']) }} as quiz_question_answer_id,
        {{ cd1_global_id('answers.quiz_question_id') }} as quiz_question_id,
        {{ cd1_global_id('answers.quiz_group_id') }} as quiz_question_group_id,
        {{ cd1_global_id('answers.quiz_id') }} as quiz_id,
        {{ cd1_global_id('answers.assessment_question_id') }} as assessment_question_id,
        {{ cd1_global_id('quiz_context.course_id') }} as course_id,
        {{ cd1_global_id('quiz_context.assignment_id') }} as assignment_id,
        {{ cd1_global_id('quiz_context.course_account_id') }} as course_account_id,
        {{ cd1_global_id('quiz_context.enrollment_term_id') }} as enrollment_term_id,
        cast(answers.weight as double precision) as weight,
        cast(answers.exact as double precision) as exact,
        cast(answers.margin as double precision) as margin,
        cast(answers.starting_range as double precision) as starting_range,
        cast(answers.ending_range as double precision) as ending_range
    from answers
    left join quiz_context
        on quiz_context.quiz_id = answers.quiz_id
)

select * from final
