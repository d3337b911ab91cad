{#- Per course (not deleted): the content the department statistics count, each object belonging
    to one course so that sums over courses are exact: discussion topics (announcements included)
    and assignments that are not deleted, and course files that are not deleted. Local CD2 ids. -#}
with

courses as (
    select * from {{ ref('stg_canvas__courses') }}
    where workflow_state <> 'deleted'
),

discussion_topics as (
    select context_id as course_id, count(*) as discussion_topic_count
    from {{ ref('stg_canvas__discussion_topics') }}
    where context_type = 'Course'
        and workflow_state <> 'deleted'
    group by context_id
),

assignments as (
    select context_id as course_id, count(*) as assignment_count
    from {{ ref('stg_canvas__assignments') }}
    where context_type = 'Course'
        and workflow_state <> 'deleted'
    group by context_id
),

attachments as (
    select context_id as course_id, count(*) as attachment_count
    from {{ ref('stg_canvas__attachments') }}
    where context_type = 'Course'
        and (workflow_state is null or workflow_state <> 'deleted')
        and file_state <> 'deleted'
    group by context_id
),

final as (
    select
        courses.id as course_id,
        courses.account_id,
        -- a course without topics, assignments or files has none of them (left joins give NULL)
        coalesce(discussion_topics.discussion_topic_count, 0) as discussion_topic_count,
        coalesce(assignments.assignment_count, 0) as assignment_count,
        coalesce(attachments.attachment_count, 0) as attachment_count
    from courses
    left join discussion_topics
        on discussion_topics.course_id = courses.id
    left join assignments
        on assignments.course_id = courses.id
    left join attachments
        on attachments.course_id = courses.id
)

select * from final
