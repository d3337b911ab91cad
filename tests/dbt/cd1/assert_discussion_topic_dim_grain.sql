-- discussion_topic_dim: one row per current row of canvas.discussion_topics. Returns a row when the counts differ.
with

mart as (
    select count(*) as row_count from {{ ref('discussion_topic_dim') }}
),

source as (
    select count(*) as row_count from {{ ref('stg_canvas__discussion_topics') }}
)

select
    mart.row_count as mart_rows,
    source.row_count as source_rows
from mart
cross join source
where mart.row_count <> source.row_count
