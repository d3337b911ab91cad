{#- Incremental (macros/cd1/cd1_incremental.sql), per conversation message: the mart has no key of
    its own (one row per message participant, no participant id), so the unit it recomputes is a
    message's rows (unique_key conversation_message_id; delete+insert replaces all of them). A
    message is recomputed when it changed, when one of its participant rows changed (a deleted
    one's earlier message comes from raw), when a conversation participant row its rows use
    changed, when its conversation changed, or the conversation's course (term, account). -#}
{%- set spec = {
    'unique_key': 'conversation_message_id',
    'driving': 'base_canvas__conversation_messages',
    'parents': [
        {'base': 'base_canvas__conversation_message_participants', 'column': 'conversation_message_id', 'keys_macro': 'cd1_incremental_keys_direct', 'history': true},
        {'base': 'base_canvas__conversation_participants', 'via': [['base_canvas__conversation_message_participants', 'conversation_participant_id', 'conversation_message_id']]},
        {'base': 'base_canvas__conversations', 'mart_column': 'conversation_id'},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__conversations', 'context_id']], 'into': 'conversation_id'},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
message_participants as (
    {{ cd1_marked(ref('stg_canvas__conversation_message_participants'), ref('base_canvas__conversation_message_participants')) | indent(4) }}
),

conversation_participants as (
    {{ cd1_marked(ref('stg_canvas__conversation_participants'), ref('base_canvas__conversation_participants')) | indent(4) }}
),

messages as (
    {{ cd1_marked(ref('stg_canvas__conversation_messages'), ref('base_canvas__conversation_messages')) | indent(4) }}
),

conversations as (
    {{ cd1_marked(ref('stg_canvas__conversations'), ref('base_canvas__conversations')) | indent(4) }}
),

courses as (
    {{ cd1_marked(ref('stg_canvas__courses'), ref('base_canvas__courses')) | indent(4) }}
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
        messages.body,
        {{ cd1_marker(['message_participants', 'conversation_participants', 'messages', 'conversations', 'courses']) }} as _dap_loaded_at
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
    {{ cd1_incremental_filter(plan, 'message_participants.conversation_message_id') }}
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
        {{ cd1_text_metrics('body', 'line_count') }} as message_line_count,
        _dap_loaded_at
    from joined
)

select * from final
{{- cd1_incremental_deletions(plan) }}
