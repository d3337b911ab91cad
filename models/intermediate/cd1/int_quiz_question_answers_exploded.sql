{#- One row per answer of a classic quiz question: the objects of quiz_questions.question_data ->
    answers (R13), with the question-level keys CD1 repeats per answer. Keys are those Canvas stores
    in question_data (id, text, html, comments, weight, left/right for matching, blank_id,
    numerical_answer_type, exact/margin, start/end). An answer given as a bare JSON string counts
    as its text. -#}
with

quiz_questions as (
    select * from {{ ref('stg_canvas__quiz_questions') }}
),

answers as (
    select
        quiz_questions.id as quiz_question_id,
        quiz_questions.quiz_id,
        quiz_questions.quiz_group_id,
        quiz_questions.assessment_question_id,
        {{ cd1_json_get_text('quiz_questions.question_data', 'question_type') }} as question_type,
        {{ cd1_json_get_text('quiz_questions.question_data', 'text_after_answers') }} as question_text_after_answers,
        {{ cd1_json_get_text('quiz_questions.question_data', 'matching_answer_incorrect_matches') }} as matching_answer_incorrect_matches,
        answer.ordinal as answer_position,
        answer.element as answer_data
    from quiz_questions
    {{ cd1_json_array_rows('quiz_questions.question_data', 'answer', key='answers') }}
),

final as (
    select
        quiz_question_id,
        answer_position,
        quiz_id,
        quiz_group_id,
        assessment_question_id,
        question_type,
        case
            when abs({{ cd1_json_get_number('answer_data', 'id') }}) < 1e18
                then cast({{ cd1_json_get_number('answer_data', 'id') }} as {{ dbt.type_bigint() }})
        end as answer_id,
        {#- coalesce: a bare string element is the answer's text #}
        coalesce(
            {{ cd1_json_get_text('answer_data', 'text') }},
            {{ cd1_json_get_text('answer_data') }}
        ) as text,
        {{ cd1_json_get_text('answer_data', 'html') }} as html,
        {{ cd1_json_get_text('answer_data', 'comments') }} as comments,
        {{ cd1_json_get_number('answer_data', 'weight') }} as weight,
        {#- coalesce: Canvas keeps text_after_answers on the question; an answer-level key wins.
            Canvas stores '' when there is none; CD1 shows NULL. #}
        nullif(coalesce(
            {{ cd1_json_get_text('answer_data', 'text_after_answers') }},
            question_text_after_answers
        ), '') as text_after_answers,
        {{ cd1_json_get_text('answer_data', 'left') }} as answer_match_left,
        {{ cd1_json_get_text('answer_data', 'right') }} as answer_match_right,
        case
            when question_type = 'matching_question' then nullif(matching_answer_incorrect_matches, '')
        end as matching_answer_incorrect_matches,
        {{ cd1_json_get_text('answer_data', 'numerical_answer_type') }} as numerical_answer_type,
        {{ cd1_json_get_text('answer_data', 'blank_id') }} as blank_id,
        {{ cd1_json_get_number('answer_data', 'exact') }} as exact,
        {{ cd1_json_get_number('answer_data', 'margin') }} as margin,
        {{ cd1_json_get_number('answer_data', 'start') }} as starting_range,
        {{ cd1_json_get_number('answer_data', 'end') }} as ending_range
    from answers
)

select * from final
