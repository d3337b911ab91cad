-- course_ui_navigation_item_fact: one row per element of the JSON list in canvas.courses.tab_configuration (counted
-- straight from staging, not through int_course_tabs_unnested). Returns a row when the counts differ.
with

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

mart as (
    select count(*) as row_count from {{ ref('course_ui_navigation_item_fact') }}
),

source as (
    select count(*) as row_count
    from courses
    {{ cd1_json_array_rows(cd1_json_parse('courses.tab_configuration'), 'tab') }}
)

select
    mart.row_count as mart_rows,
    source.row_count as source_rows
from mart
cross join source
where mart.row_count <> source.row_count
