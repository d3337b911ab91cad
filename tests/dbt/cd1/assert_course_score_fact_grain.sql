{#- course_score_fact has one row per overall course score (canvas.scores where course_score); returns a row when the counts differ. -#}
with

mart as (
    select count(*) as row_count from {{ ref('course_score_fact') }}
),

source_grain as (
    select count(*) as row_count from {{ ref('stg_canvas__scores') }}
    where course_score
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
