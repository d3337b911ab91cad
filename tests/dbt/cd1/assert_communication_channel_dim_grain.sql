{#- communication_channel_dim has one row per current channel (canvas.communication_channels); returns a row when the counts differ. -#}
with

mart as (
    select count(*) as row_count from {{ ref('communication_channel_dim') }}
),

source_grain as (
    select count(*) as row_count from {{ ref('stg_canvas__communication_channels') }}
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
