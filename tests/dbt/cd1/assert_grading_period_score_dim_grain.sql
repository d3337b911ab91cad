{#- grading_period_score_dim has one row per grading period score (canvas.scores with a grading_period_id); returns a row when the counts differ. -#}
with

mart as (
    select count(*) as row_count from {{ ref('grading_period_score_dim') }}
),

source_grain as (
    select count(*) as row_count from {{ ref('stg_canvas__scores') }}
    where grading_period_id is not null
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
