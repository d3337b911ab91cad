{#- One row per answer inside quiz_questions.question_data (R13). The answer has no Canvas table:
    canvas_id is the id Canvas stores in the answer object, and id is generated from the question
    and the answer's position (CD1 warned this key was unstable too). -#}
with

answers as (
    select * from {{ ref('int_quiz_question_answers_exploded') }}
),

final as (
    select
        {{ cd1_surrogate_id(['answers.quiz_question_id', 'answers.answer_position']) }} as id,
        answers.answer_id as canvas_id,
        {{ cd1_global_id('answers.quiz_question_id') }} as quiz_question_id,
        answers.text,
        answers.html,
        answers.comments,
        answers.text_after_answers,
        cast(answers.answer_match_left as varchar(256)) as answer_match_left,
        cast(answers.answer_match_right as varchar(256)) as answer_match_right,
        cast(answers.matching_answer_incorrect_matches as varchar(256)) as matching_answer_incorrect_matches,
        cast(answers.numerical_answer_type as varchar(256)) as numerical_answer_type,
        cast(answers.blank_id as varchar(256)) as blank_id,
        cast(answers.exact as double precision) as exact,
        cast(answers.margin as double precision) as margin,
        cast(answers.starting_range as double precision) as starting_range,
        cast(answers.ending_range as double precision) as ending_range
    from answers
)

select * from final
