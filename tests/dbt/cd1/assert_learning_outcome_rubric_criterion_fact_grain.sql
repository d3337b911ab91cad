{#- learning_outcome_rubric_criterion_fact: one row per element of the ratings array in canvas.learning_outcomes.data -> rubric_criterion (JSON). Returns a row when the counts differ. -#}
with

outcomes as (
    select * from {{ ref('stg_canvas__learning_outcomes') }}
),

source_grain as (
    select count(*) as row_count
    from outcomes
    {{ cd1_json_array_rows(cd1_json_get_value(cd1_json_parse('outcomes.data'), 'rubric_criterion'), 'rating', key='ratings') }}
),

mart as (
    select count(*) as row_count from {{ ref('learning_outcome_rubric_criterion_fact') }}
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
