{#- module_completion_requirement_dim: one row per element of canvas.context_modules.completion_requirements (JSON) that names a module item. Returns a row when the counts differ. -#}
with

modules as (
    select * from {{ ref('stg_canvas__context_modules') }}
),

source_grain as (
    select count(*) as row_count
    from modules
    {{ cd1_json_array_rows(cd1_json_parse('modules.completion_requirements'), 'requirement') }}
    where {{ cd1_safe_bigint(cd1_json_get_text('requirement.element', 'id')) }} is not null
),

mart as (
    select count(*) as row_count from {{ ref('module_completion_requirement_dim') }}
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
