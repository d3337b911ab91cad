{#- One row per requirement recorded in a module progression (requirements_met -> complete,
    incomplete_requirements -> incomplete); grain and generated id scheme are documented in
    int_module_progression_requirements_exploded. -#}
with

requirements as (
    select * from {{ ref('int_module_progression_requirements_exploded') }}
),

final as (
    select
        requirements.module_progression_completion_requirement_id as id,
        {{ cd1_global_id('requirements.module_progression_id') }} as module_progression_id,
        {{ cd1_global_id('requirements.module_item_id') }} as module_item_id,
        cast(requirements.requirement_type as varchar(256)) as requirement_type,
        cast(requirements.completion_status as varchar(256)) as completion_status
    from requirements
)

select * from final
