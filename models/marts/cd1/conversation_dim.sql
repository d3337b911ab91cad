with

conversations as (
    select * from {{ ref('stg_canvas__conversations') }}
),

final as (
    select
        {{ cd1_global_id('conversations.id') }} as id,
        conversations.id as canvas_id,
        conversations.has_attachments,
        conversations.has_media_objects,
        cast(conversations.subject as varchar(256)) as subject,
        {{ cd1_context_id('conversations.context_type', 'conversations.context_id', 'Course') }} as course_id,
        {{ cd1_context_id('conversations.context_type', 'conversations.context_id', 'Group') }} as group_id,
        {{ cd1_context_id('conversations.context_type', 'conversations.context_id', 'Account') }} as account_id
    from conversations
)

select * from final
