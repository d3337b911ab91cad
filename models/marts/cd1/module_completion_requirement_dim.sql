{#- One row per completion requirement in context_modules.completion_requirements; the generated
    id scheme is documented in int_module_completion_requirements_exploded. -#}
with

requirements as (
    select * from {{ ref('int_module_completion_requirements_exploded') }}
),

final as (
    select
        requirements.module_completion_requirement_id as id,
        {{ cd1_global_id('requirements.module_id') }} as module_id,
        {{ cd1_global_id('requirements.module_item_id') }} as module_item_id,
        cast(requirements.requirement_type as varchar(256)) as requirement_type
    from requirements
)

select * from final
