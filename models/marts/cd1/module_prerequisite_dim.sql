{#- One row per prerequisite in context_modules.prerequisites; the generated id scheme is
    documented in int_module_prerequisites_exploded. -#}
with

prerequisites as (
    select * from {{ ref('int_module_prerequisites_exploded') }}
),

final as (
    select
        prerequisites.module_prerequisite_id as id,
        {{ cd1_global_id('prerequisites.module_id') }} as module_id,
        {{ cd1_global_id('prerequisites.prerequisite_module_id') }} as prerequisite_module_id
    from prerequisites
)

select * from final
