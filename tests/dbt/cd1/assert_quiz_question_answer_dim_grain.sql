{#- quiz_question_answer_dim has one row per element of the answers array in question_data of each current quiz
    question. Returns a row when the counts differ. -#}
with

quiz_questions as (
    select * from {{ ref('stg_canvas__quiz_questions') }}
),

answers as (
    select quiz_questions.id
    from quiz_questions
    {{ cd1_json_array_rows('quiz_questions.question_data', 'answer', key='answers') }}
),

mart as (
    select count(*) as row_count from {{ ref('quiz_question_answer_dim') }}
),

source_grain as (
    select count(*) as row_count from answers
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
