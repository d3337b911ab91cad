{#- enrollment_term_dim has one row per current term (canvas.enrollment_terms); returns a row when the counts differ. -#}
with

mart as (
    select count(*) as row_count from {{ ref('enrollment_term_dim') }}
),

source_grain as (
    select count(*) as row_count from {{ ref('stg_canvas__enrollment_terms') }}
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
