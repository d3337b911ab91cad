with

prerequisites as (
    select * from {{ ref('int_module_prerequisites_exploded') }}
),

modules as (
    select * from {{ ref('int_context_modules_joined_to_courses') }}
),

final as (
    select
        prerequisites.module_prerequisite_id,
        {{ cd1_global_id('modules.course_account_id') }} as account_id,
        {{ cd1_global_id('modules.course_id') }} as course_id,
        {{ cd1_global_id('modules.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('prerequisites.module_id') }} as module_id,
        {{ cd1_global_id('prerequisites.prerequisite_module_id') }} as prerequisite_module_id,
        {{ cd1_global_id('prerequisite_modules.wiki_id') }} as prerequisite_wiki_id,
        {{ cd1_global_id('modules.wiki_id') }} as wiki_id
    from prerequisites
    left join modules
        on modules.module_id = prerequisites.module_id
    left join modules as prerequisite_modules
        on prerequisite_modules.module_id = prerequisites.prerequisite_module_id
)

select * from final
