-- learning_outcome_question_result_fact: one row per current canvas.learning_outcome_question_results row whose parent result is not soft-deleted. Returns a row when the counts differ.
with

mart as (
    select count(*) as row_count from {{ ref('learning_outcome_question_result_fact') }}
),

source_grain as (
    select count(*) as row_count
    from {{ ref('stg_canvas__learning_outcome_question_results') }} as question_results
    where not exists (
        select 1
        from {{ ref('stg_canvas__learning_outcome_results') }} as results
        where results.id = question_results.learning_outcome_result_id
            and results.workflow_state = 'deleted'
    )
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
