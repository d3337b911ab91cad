-- learning_outcome_fact: one row per current row of canvas.learning_outcomes. Returns a row when the counts differ.
with

mart as (
    select count(*) as row_count from {{ ref('learning_outcome_fact') }}
),

source_grain as (
    select count(*) as row_count from {{ ref('stg_canvas__learning_outcomes') }}
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
