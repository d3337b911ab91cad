{#- enrollment_rollup_dim has one row per distinct (user, course) pair of canvas.enrollments; returns
    a row when the counts differ. -#}
with

mart as (
    select count(*) as row_count from {{ ref('enrollment_rollup_dim') }}
),

pairs as (
    select distinct user_id, course_id
    from {{ ref('stg_canvas__enrollments') }}
    where user_id is not null
        and course_id is not null
),

source_grain as (
    select count(*) as row_count from pairs
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
