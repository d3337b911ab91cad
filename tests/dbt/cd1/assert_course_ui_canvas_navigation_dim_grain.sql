-- course_ui_canvas_navigation_dim: one row per built-in tab in the seed cd1_course_ui_canvas_navigation. Returns a row when the counts differ.
with

mart as (
    select count(*) as row_count from {{ ref('course_ui_canvas_navigation_dim') }}
),

source as (
    select count(*) as row_count from {{ ref('cd1_course_ui_canvas_navigation') }}
)

select
    mart.row_count as mart_rows,
    source.row_count as source_rows
from mart
cross join source
where mart.row_count <> source.row_count
