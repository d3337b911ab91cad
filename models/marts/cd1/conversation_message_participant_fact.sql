with

message_participants as (
    select * from {{ ref('stg_canvas__conversation_message_participants') }}
),

conversation_participants as (
    select * from {{ ref('stg_canvas__conversation_participants') }}
),

messages as (
    select * from {{ ref('stg_canvas__conversation_messages') }}
),

conversations as (
    select * from {{ ref('stg_canvas__conversations') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

joined as (
    select
        message_participants.conversation_message_id,
        messages.conversation_id,
        -- coalesce: the recipient on the message row, else the user of its conversation participant row
        coalesce(message_participants.user_id, conversation_participants.user_id) as user_id,
        {{ cd1_context_id('conversations.context_type', 'conversations.context_id', 'Course', global=false) }} as course_id,
        courses.enrollment_term_id,
        courses.account_id as course_account_id,
        {{ cd1_context_id('conversations.context_type', 'conversations.context_id', 'Group', global=false) }} as group_id,
        {{ cd1_context_id('conversations.context_type', 'conversations.context_id', 'Account', global=false) }} as account_id,
        messages.body
    from message_participants
    left join conversation_participants
        on conversation_participants.id = message_participants.conversation_participant_id
    left join messages
        on messages.id = message_participants.conversation_message_id
    left join conversations
        on conversations.id = messages.conversation_id
    left join courses
        on conversations.context_type = 'Course'
        and courses.id = conversations.context_id
),

final as (
    select
        {{ cd1_global_id('conversation_message_id') }} as conversation_message_id,
        {{ cd1_global_id('conversation_id') }} as conversation_id,
        {{ cd1_global_id('user_id') }} as user_id,
        {{ cd1_global_id('course_id') }} as course_id,
        {{ cd1_global_id('enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('course_account_id') }} as course_account_id,
        {{ cd1_global_id('group_id') }} as group_id,
        {{ cd1_global_id('account_id') }} as account_id,
        {{ cd1_enrollment_rollup_id('user_id', 'course_id') }} as enrollment_rollup_id,
        {{ cd1_text_metrics('body', 'size_bytes') }} as message_size_bytes,
        {{ cd1_text_metrics('body', 'character_count') }} as message_character_count,
        {{ cd1_text_metrics('body', 'word_count') }} as message_word_count,
        {{ cd1_text_metrics('body', 'line_count') }} as message_line_count
    from joined
)

select * from final
