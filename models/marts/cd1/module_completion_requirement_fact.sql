with

requirements as (
    select * from {{ ref('int_module_completion_requirements_exploded') }}
),

modules as (
    select * from {{ ref('int_context_modules_joined_to_courses') }}
),

items as (
    select * from {{ ref('int_module_items_joined_to_content') }}
),

final as (
    select
        requirements.module_completion_requirement_id,
        {{ cd1_global_id('modules.course_account_id') }} as account_id,
        {{ cd1_global_id('items.related_assignment_id') }} as assignment_id,
        {{ cd1_global_id('items.assignment_group_id') }} as assignment_group_id,
        {{ cd1_global_id('modules.course_id') }} as course_id,
        {{ cd1_global_id('items.discussion_topic_id') }} as discussion_topic_id,
        {{ cd1_global_id('items.discussion_topic_editor_id') }} as discussion_topic_editor_id,
        {{ cd1_enrollment_rollup_id('items.rollup_user_id', 'items.course_id') }} as enrollment_rollup_id,
        {{ cd1_global_id('modules.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('items.file_id') }} as file_id,
        {{ cd1_global_id('requirements.module_id') }} as module_id,
        {{ cd1_global_id('requirements.module_item_id') }} as module_item_id,
        {{ cd1_global_id('items.related_quiz_id') }} as quiz_id,
        {{ cd1_global_id('items.user_id') }} as user_id,
        {{ cd1_global_id('modules.wiki_id') }} as wiki_id,
        {{ cd1_global_id('items.wiki_page_id') }} as wiki_page_id,
        cast(requirements.min_score as double precision) as min_score
    from requirements
    left join modules
        on modules.module_id = requirements.module_id
    left join items
        on items.module_item_id = requirements.module_item_id
)

select * from final
