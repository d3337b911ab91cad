{#- Every current discussion topic with its owner split by context type (R6) and, for group topics,
    the group's parent course/account; course account and term follow the topic's own course (R5).
    topic_course_* : the topic's course directly or through its group (for discussion_entry_fact).
    Shared by discussion_topic_fact and discussion_entry_fact. Local ids. -#}
with

topics as (
    select * from {{ ref('stg_canvas__discussion_topics') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

groups as (
    select * from {{ ref('int_groups_joined_to_contexts') }}
),

final as (
    select
        topics.id as discussion_topic_id,
        topics.user_id,
        topics.assignment_id,
        topics.editor_id,
        topics.message,
        {{ cd1_context_id('topics.context_type', 'topics.context_id', 'Course', global=false) }} as course_id,
        courses.account_id as course_account_id,
        courses.enrollment_term_id,
        {{ cd1_context_id('topics.context_type', 'topics.context_id', 'Group', global=false) }} as group_id,
        groups.parent_course_id as group_parent_course_id,
        groups.parent_account_id as group_parent_account_id,
        groups.parent_course_account_id as group_parent_course_account_id,
        {#- the course a topic belongs to, directly or through its group (mapping.md 6: the course via
            the topic's context); coalesce: a topic has one context, so at most one side is set -#}
        coalesce(
            {{ cd1_context_id('topics.context_type', 'topics.context_id', 'Course', global=false) }},
            groups.parent_course_id
        ) as topic_course_id,
        -- coalesce: as topic_course_id, the course's account and term from whichever side is set
        coalesce(courses.account_id, groups.parent_course_account_id) as topic_course_account_id,
        coalesce(courses.enrollment_term_id, groups.parent_course_enrollment_term_id) as topic_enrollment_term_id
    from topics
    left join courses
        on topics.context_type = 'Course'
        and courses.id = topics.context_id
    left join groups
        on topics.context_type = 'Group'
        and groups.group_id = topics.context_id
)

select * from final
