with

topics as (
    select * from {{ ref('int_discussion_topics_joined_to_contexts') }}
),

final as (
    select
        {{ cd1_global_id('topics.discussion_topic_id') }} as discussion_topic_id,
        {{ cd1_global_id('topics.course_id') }} as course_id,
        {{ cd1_global_id('topics.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('topics.course_account_id') }} as course_account_id,
        {{ cd1_global_id('topics.user_id') }} as user_id,
        {{ cd1_global_id('topics.assignment_id') }} as assignment_id,
        {{ cd1_global_id('topics.editor_id') }} as editor_id,
        {{ cd1_enrollment_rollup_id('topics.user_id', 'topics.course_id') }} as enrollment_rollup_id,
        {{ cd1_text_metrics('topics.message', 'character_count') }} as message_length,
        {{ cd1_global_id('topics.group_id') }} as group_id,
        {{ cd1_global_id('topics.group_parent_course_id') }} as group_parent_course_id,
        {{ cd1_global_id('topics.group_parent_account_id') }} as group_parent_account_id,
        {{ cd1_global_id('topics.group_parent_course_account_id') }} as group_parent_course_account_id
    from topics
)

select * from final
