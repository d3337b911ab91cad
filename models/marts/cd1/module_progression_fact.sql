with

progressions as (
    select * from {{ ref('stg_canvas__context_module_progressions') }}
),

modules as (
    select * from {{ ref('int_context_modules_joined_to_courses') }}
),

final as (
    select
        {{ cd1_global_id('progressions.id') }} as module_progression_id,
        {{ cd1_global_id('modules.course_account_id') }} as account_id,
        {{ cd1_global_id('modules.course_id') }} as course_id,
        {{ cd1_global_id('modules.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('progressions.context_module_id') }} as module_id,
        {{ cd1_global_id('progressions.user_id') }} as user_id,
        {{ cd1_global_id('modules.wiki_id') }} as wiki_id
    from progressions
    left join modules
        on modules.module_id = progressions.context_module_id
)

select * from final
