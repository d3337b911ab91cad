with

modules as (
    select * from {{ ref('int_context_modules_joined_to_courses') }}
),

final as (
    select
        {{ cd1_global_id('modules.module_id') }} as module_id,
        {{ cd1_global_id('modules.course_account_id') }} as account_id,
        {{ cd1_global_id('modules.course_id') }} as course_id,
        {{ cd1_global_id('modules.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('modules.wiki_id') }} as wiki_id
    from modules
)

select * from final
