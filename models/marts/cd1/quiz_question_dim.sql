{#- One row per classic quiz question; name, type, text, regrade option, comments come from keys
    of the serialized question_data (R13). -#}
with

quiz_questions as (
    select * from {{ ref('stg_canvas__quiz_questions') }}
),

final as (
    select
        {{ cd1_global_id('quiz_questions.id') }} as id,
        quiz_questions.id as canvas_id,
        {{ cd1_global_id('quiz_questions.quiz_id') }} as quiz_id,
        {{ cd1_global_id('quiz_questions.quiz_group_id') }} as quiz_question_group_id,
        cast(quiz_questions.position as integer) as position,
        {#- CD1 documents unpublished/published/deleted; CD2 has active (a question of the quiz),
            generated (made for one submission from a question bank, never shown as the quiz's own
            question) and deleted [inf] -#}
        cast(
            case {{ cd1_enum('quiz_questions.workflow_state') }}
                when 'active' then 'published'
                when 'generated' then 'unpublished'
                else {{ cd1_enum('quiz_questions.workflow_state') }}
            end as varchar(256)
        ) as workflow_state,
        {{ cd1_timestamp('quiz_questions.created_at') }} as created_at,
        {{ cd1_timestamp('quiz_questions.updated_at') }} as updated_at,
        {{ cd1_global_id('quiz_questions.assessment_question_id') }} as assessment_question_id,
        cast(quiz_questions.assessment_question_version as integer) as assessment_question_version,
        cast({{ cd1_json_get_text('quiz_questions.question_data', 'question_name') }} as varchar(256)) as name,
        cast({{ cd1_json_get_text('quiz_questions.question_data', 'question_type') }} as varchar(256)) as question_type,
        {{ cd1_json_get_text('quiz_questions.question_data', 'question_text') }} as question_text,
        cast({{ cd1_json_get_text('quiz_questions.question_data', 'regrade_option') }} as varchar(256)) as regrade_option,
        {{ cd1_json_get_text('quiz_questions.question_data', 'correct_comments') }} as correct_comments,
        {{ cd1_json_get_text('quiz_questions.question_data', 'incorrect_comments') }} as incorrect_comments,
        {{ cd1_json_get_text('quiz_questions.question_data', 'neutral_comments') }} as neutral_comments
    from quiz_questions
)

select * from final
