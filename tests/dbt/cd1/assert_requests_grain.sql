{#- requests keeps one row per web request ever loaded: every web_logs id whose latest record is
    not a delete tombstone (the base model keeps ids DAP no longer serves); returns a row when the
    counts differ. -#}
with

mart as (
    select count(*) as row_count from {{ ref('requests') }}
),

source_grain as (
    select count(*) as row_count
    from {{ ref('int_web_logs_with_load_markers') }}
    where not is_deleted
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
