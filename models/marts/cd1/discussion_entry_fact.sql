{#- Incremental (macros/cd1/cd1_incremental.sql): one row per discussion entry; a change of its
    topic, of the topic's group or of the course the topic belongs to (directly or through its
    group: account, term) recomputes it. The stamps come from the base models (the intermediate
    model does not carry them). -#}
{%- set spec = {
    'unique_key': 'discussion_entry_id',
    'driving': 'base_canvas__discussion_entries',
    'parents': [
        {'base': 'base_canvas__discussion_topics', 'via': [['base_canvas__discussion_entries', 'discussion_topic_id']]},
        {'base': 'base_canvas__groups', 'via': [['base_canvas__discussion_topics', 'context_id'], ['base_canvas__discussion_entries', 'discussion_topic_id']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__discussion_topics', 'context_id'], ['base_canvas__discussion_entries', 'discussion_topic_id']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__groups', 'context_id'], ['base_canvas__discussion_topics', 'context_id'], ['base_canvas__discussion_entries', 'discussion_topic_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
entries as (
    {{ cd1_marked(ref('stg_canvas__discussion_entries'), ref('base_canvas__discussion_entries')) | indent(4) }}
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
        {{ cd1_text_metrics('entries.message', 'size_bytes') }} as message_length,
        {{ cd1_marker(['entries', 'topic_loaded', 'group_loaded', 'course_loaded']) }} as _dap_loaded_at
    from entries
    left join topics
        on topics.discussion_topic_id = entries.discussion_topic_id
    left join {{ ref('base_canvas__discussion_topics') }} as topic_loaded
        on topic_loaded.id = topics.discussion_topic_id
    left join {{ ref('base_canvas__groups') }} as group_loaded
        on group_loaded.id = topics.group_id
    left join {{ ref('base_canvas__courses') }} as course_loaded
        on course_loaded.id = topics.topic_course_id
    {{ cd1_incremental_filter(plan, 'entries.id') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
