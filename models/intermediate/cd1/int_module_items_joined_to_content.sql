{#- Every current module item (canvas.content_tags with tag_type 'context_module'; the tag id is the
    module item id) with the object it links to, split by content_type, and what CD1's module item
    facts reached through that object [inf]:
      - the item's own keys (module_item_dim): assignment_id / discussion_topic_id / file_id /
        quiz_id / wiki_page_id = content_id for that content type
      - related_assignment_id: the assignment behind an Assignment, a graded DiscussionTopic, a Quiz,
        or a File (through the file's context, int_attachments_joined_to_contexts)
      - related_quiz_id: the Quiz, or the quiz a File belongs to
      - assignment_group_id of the related assignment; discussion_topic_editor_id
      - user_id: the author of a DiscussionTopic, the uploader of a File, the author of a WikiPage
      - rollup_user_id: the user enrollment_rollup_id is for (DiscussionTopic and File items only, as
        CD1 documents), kept only when that user has an enrollment row in the item's course, so the
        key never points at a rollup that cannot exist
      - page_wiki_id: the wiki of a WikiPage; the course's account and term (R5).
    Local CD2 ids. -#}
with

tags as (
    select * from {{ ref('stg_canvas__content_tags') }}
    where tag_type = 'context_module'
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

assignments as (
    select * from {{ ref('stg_canvas__assignments') }}
),

discussion_topics as (
    select * from {{ ref('stg_canvas__discussion_topics') }}
),

quizzes as (
    select * from {{ ref('stg_canvas__quizzes') }}
),

wiki_pages as (
    select * from {{ ref('stg_canvas__wiki_pages') }}
),

attachments as (
    select * from {{ ref('stg_canvas__attachments') }}
),

attachment_contexts as (
    select * from {{ ref('int_attachments_joined_to_contexts') }}
),

enrollments as (
    select * from {{ ref('stg_canvas__enrollments') }}
),

enrolled_pairs as (
    select distinct
        user_id,
        course_id
    from enrollments
    where user_id is not null
        and course_id is not null
),

items as (
    select
        tags.id as module_item_id,
        tags.context_module_id as module_id,
        {{ cd1_context_id('tags.context_type', 'tags.context_id', 'Course', global=false) }} as course_id,
        tags.content_type,
        case when tags.content_type = 'Assignment' then tags.content_id end as assignment_id,
        {#- an Announcement is a discussion topic too (CD2: Announcement -> discussion_topics) #}
        case when tags.content_type in ('DiscussionTopic', 'Announcement') then tags.content_id end as discussion_topic_id,
        case when tags.content_type = 'Attachment' then tags.content_id end as file_id,
        case when tags.content_type = 'Quizzes::Quiz' then tags.content_id end as quiz_id,
        case when tags.content_type = 'WikiPage' then tags.content_id end as wiki_page_id
    from tags
),

resolved as (
    select
        items.*,
        -- coalesce: each item type reaches at most one assignment; take the one its type gives
        coalesce(
            items.assignment_id,
            discussion_topics.assignment_id,
            quizzes.assignment_id,
            attachment_contexts.related_assignment_id
        ) as related_assignment_id,
        -- coalesce: a quiz item's own quiz, else the quiz a file item belongs to
        coalesce(items.quiz_id, attachment_contexts.related_quiz_id) as related_quiz_id,
        discussion_topics.editor_id as discussion_topic_editor_id,
        -- coalesce: the author or uploader of whichever of topic, file, page the item links to
        coalesce(discussion_topics.user_id, attachments.user_id, wiki_pages.user_id) as user_id,
        -- coalesce: the topic author or the file uploader (CD1 keys the rollup for these types)
        coalesce(discussion_topics.user_id, attachments.user_id) as content_user_id,
        wiki_pages.wiki_id as page_wiki_id
    from items
    left join discussion_topics
        on discussion_topics.id = items.discussion_topic_id
    left join quizzes
        on quizzes.id = items.quiz_id
    left join attachments
        on attachments.id = items.file_id
    left join attachment_contexts
        on attachment_contexts.attachment_id = items.file_id
    left join wiki_pages
        on wiki_pages.id = items.wiki_page_id
),

final as (
    select
        resolved.module_item_id,
        resolved.module_id,
        resolved.course_id,
        resolved.content_type,
        resolved.assignment_id,
        resolved.discussion_topic_id,
        resolved.file_id,
        resolved.quiz_id,
        resolved.wiki_page_id,
        resolved.related_assignment_id,
        resolved.related_quiz_id,
        assignments.assignment_group_id,
        resolved.discussion_topic_editor_id,
        resolved.user_id,
        enrolled_pairs.user_id as rollup_user_id,
        resolved.page_wiki_id,
        courses.account_id as course_account_id,
        courses.enrollment_term_id
    from resolved
    left join assignments
        on assignments.id = resolved.related_assignment_id
    left join courses
        on courses.id = resolved.course_id
    left join enrolled_pairs
        on enrolled_pairs.user_id = resolved.content_user_id
        and enrolled_pairs.course_id = resolved.course_id
)

select * from final
