with

topics as (
    select * from {{ ref('stg_canvas__discussion_topics') }}
),

final as (
    select
        {{ cd1_global_id('topics.id') }} as id,
        topics.id as canvas_id,
        cast(topics.title as varchar(256)) as title,
        cast(topics.message as text) as message,
        cast({{ cd1_enum('topics.type') }} as varchar(256)) as type,
        cast({{ cd1_enum('topics.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('topics.last_reply_at') }} as last_reply_at,
        {{ cd1_timestamp('topics.created_at') }} as created_at,
        {{ cd1_timestamp('topics.updated_at') }} as updated_at,
        {{ cd1_timestamp('topics.delayed_post_at') }} as delayed_post_at,
        {{ cd1_timestamp('topics.posted_at') }} as posted_at,
        {{ cd1_timestamp('topics.deleted_at') }} as deleted_at,
        cast({{ cd1_enum('topics.discussion_type') }} as varchar(256)) as discussion_type,
        topics.pinned,
        topics.locked,
        {{ cd1_context_id('topics.context_type', 'topics.context_id', 'Course') }} as course_id,
        {{ cd1_context_id('topics.context_type', 'topics.context_id', 'Group') }} as group_id
    from topics
)

select * from final
