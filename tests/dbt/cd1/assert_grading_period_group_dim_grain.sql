{#- grading_period_group_dim has one row per current grading period group (canvas.grading_period_groups); returns a row when the counts differ. -#}
with

mart as (
    select count(*) as row_count from {{ ref('grading_period_group_dim') }}
),

source_grain as (
    select count(*) as row_count from {{ ref('stg_canvas__grading_period_groups') }}
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
