with

tags as (
    select * from {{ ref('stg_canvas__content_tags') }}
    where tag_type = 'context_module'
),

items as (
    select * from {{ ref('int_module_items_joined_to_content') }}
),

final as (
    select
        {{ cd1_global_id('tags.id') }} as id,
        tags.id as canvas_id,
        {{ cd1_global_id('items.assignment_id') }} as assignment_id,
        {{ cd1_global_id('items.course_id') }} as course_id,
        {{ cd1_global_id('items.discussion_topic_id') }} as discussion_topic_id,
        {{ cd1_global_id('items.file_id') }} as file_id,
        {{ cd1_global_id('items.module_id') }} as module_id,
        {{ cd1_global_id('items.quiz_id') }} as quiz_id,
        {{ cd1_global_id('items.wiki_page_id') }} as wiki_page_id,
        cast(
            case
                {#- CD1 names the classic quiz class without its namespace #}
                when tags.content_type = 'Quizzes::Quiz' then 'Quiz'
                else {{ cd1_enum('tags.content_type') }}
            end as varchar(256)
        ) as content_type,
        cast({{ cd1_enum('tags.workflow_state') }} as varchar(256)) as workflow_state,
        cast(tags.position as integer) as position,
        cast(tags.title as text) as title,
        cast(tags.url as text) as url,
        {{ cd1_timestamp('tags.created_at') }} as created_at,
        {{ cd1_timestamp('tags.updated_at') }} as updated_at
    from tags
    inner join items
        on items.module_item_id = tags.id
)

select * from final
