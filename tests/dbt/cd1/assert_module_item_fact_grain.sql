-- module_item_fact: one row per current canvas.content_tags row with tag_type 'context_module'. Returns a row when the counts differ.
with

mart as (
    select count(*) as row_count from {{ ref('module_item_fact') }}
),

source_grain as (
    select count(*) as row_count from {{ ref('stg_canvas__content_tags') }}
    where tag_type = 'context_module'
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
