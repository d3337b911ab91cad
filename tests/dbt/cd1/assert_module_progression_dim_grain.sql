-- module_progression_dim: one row per current row of canvas.context_module_progressions. Returns a row when the counts differ.
with

mart as (
    select count(*) as row_count from {{ ref('module_progression_dim') }}
),

source_grain as (
    select count(*) as row_count from {{ ref('stg_canvas__context_module_progressions') }}
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
