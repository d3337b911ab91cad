{#- module_progression_completion_requirement_dim: one row per element of canvas.context_module_progressions.requirements_met plus one per element of incomplete_requirements (JSON) that names a module item. Returns a row when the counts differ. -#}
with

progressions as (
    select * from {{ ref('stg_canvas__context_module_progressions') }}
),

met as (
    select count(*) as row_count
    from progressions
    {{ cd1_json_array_rows(cd1_json_parse('progressions.requirements_met'), 'requirement') }}
    where {{ cd1_safe_bigint(cd1_json_get_text('requirement.element', 'id')) }} is not null
),

incomplete as (
    select count(*) as row_count
    from progressions
    {{ cd1_json_array_rows(cd1_json_parse('progressions.incomplete_requirements'), 'requirement') }}
    where {{ cd1_safe_bigint(cd1_json_get_text('requirement.element', 'id')) }} is not null
),

source_grain as (
    select met.row_count + incomplete.row_count as row_count
    from met
    cross join incomplete
),

mart as (
    select count(*) as row_count from {{ ref('module_progression_completion_requirement_dim') }}
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
