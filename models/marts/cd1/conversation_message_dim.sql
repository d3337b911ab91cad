with

messages as (
    select * from {{ ref('stg_canvas__conversation_messages') }}
),

final as (
    select
        {{ cd1_global_id('messages.id') }} as id,
        messages.id as canvas_id,
        {{ cd1_global_id('messages.conversation_id') }} as conversation_id,
        {{ cd1_global_id('messages.author_id') }} as author_id,
        {{ cd1_timestamp('messages.created_at') }} as created_at,
        messages.generated,
        messages.has_attachments,
        messages.has_media_objects,
        cast(messages.body as text) as body
    from messages
)

select * from final
