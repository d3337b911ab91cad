-- conference_participant_fact: one row per current row of canvas.web_conference_participants. Returns a row when the counts differ.
with

mart as (
    select count(*) as row_count from {{ ref('conference_participant_fact') }}
),

source as (
    select count(*) as row_count from {{ ref('stg_canvas__web_conference_participants') }}
)

select
    mart.row_count as mart_rows,
    source.row_count as source_rows
from mart
cross join source
where mart.row_count <> source.row_count
