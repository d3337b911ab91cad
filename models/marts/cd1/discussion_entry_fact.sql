with

entries as (
    select * from {{ ref('stg_canvas__discussion_entries') }}
),

topics as (
    select * from {{ ref('int_discussion_topics_joined_to_contexts') }}
),

final as (
    select
        {{ cd1_global_id('entries.id') }} as discussion_entry_id,
        {{ cd1_global_id('entries.parent_id') }} as parent_discussion_entry_id,
        {{ cd1_global_id('entries.user_id') }} as user_id,
        {{ cd1_global_id('entries.discussion_topic_id') }} as topic_id,
        {#- a group topic's entries belong to the group's course (mapping.md 6) -#}
        {{ cd1_global_id('topics.topic_course_id') }} as course_id,
        {{ cd1_global_id('topics.topic_enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('topics.topic_course_account_id') }} as course_account_id,
        {{ cd1_global_id('topics.user_id') }} as topic_user_id,
        {{ cd1_global_id('topics.assignment_id') }} as topic_assignment_id,
        {{ cd1_global_id('topics.editor_id') }} as topic_editor_id,
        {{ cd1_enrollment_rollup_id('entries.user_id', 'topics.topic_course_id') }} as enrollment_rollup_id,
        {{ cd1_text_metrics('entries.message', 'size_bytes') }} as message_length
    from entries
    left join topics
        on topics.discussion_topic_id = entries.discussion_topic_id
)

select * from final
