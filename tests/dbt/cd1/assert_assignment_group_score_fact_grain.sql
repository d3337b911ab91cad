{#- assignment_group_score_fact has one row per assignment group score (canvas.scores with an assignment_group_id); returns a row when the counts differ. -#}
with

mart as (
    select count(*) as row_count from {{ ref('assignment_group_score_fact') }}
),

source_grain as (
    select count(*) as row_count from {{ ref('stg_canvas__scores') }}
    where assignment_group_id is not null
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
