-- learning_outcome_group_dim: one row per current row of canvas.learning_outcome_groups. Returns a row when the counts differ.
with

mart as (
    select count(*) as row_count from {{ ref('learning_outcome_group_dim') }}
),

source_grain as (
    select count(*) as row_count from {{ ref('stg_canvas__learning_outcome_groups') }}
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
