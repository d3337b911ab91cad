{#- Every current file (attachment) with its owner split by context type (R6) and the objects CD1
    reached through that owner: the submission behind a quiz submission, the assignment and course
    behind a quiz, quiz submission or submission, the conversation message the file is attached to
    (attachment_associations), and the group. Shared by file_dim and file_fact. Local ids. -#}
with

attachments as (
    select * from {{ ref('stg_canvas__attachments') }}
),

attachment_associations as (
    select * from {{ ref('stg_canvas__attachment_associations') }}
),

conversation_messages as (
    select * from {{ ref('stg_canvas__conversation_messages') }}
),

conversations as (
    select * from {{ ref('stg_canvas__conversations') }}
),

assignments as (
    select * from {{ ref('stg_canvas__assignments') }}
),

quizzes as (
    select * from {{ ref('stg_canvas__quizzes') }}
),

quiz_submissions as (
    select * from {{ ref('stg_canvas__quiz_submissions') }}
),

submissions as (
    select * from {{ ref('stg_canvas__submissions') }}
),

groups as (
    select * from {{ ref('int_groups_joined_to_contexts') }}
),

{#- a file attached to several conversation messages keeps the first (lowest id) -#}
message_attachments as (
    select
        attachment_id,
        min(context_id) as conversation_message_id
    from attachment_associations
    where context_type = 'ConversationMessage'
        and attachment_id is not null
    group by attachment_id
),

owners as (
    select
        attachments.id as attachment_id,
        attachments.context_type,
        {{ cd1_context_id('attachments.context_type', 'attachments.context_id', 'Account', global=false) }} as account_id,
        {{ cd1_context_id('attachments.context_type', 'attachments.context_id', 'Assignment', global=false) }} as assignment_id,
        {{ cd1_context_id('attachments.context_type', 'attachments.context_id', 'Course', global=false) }} as course_id,
        {{ cd1_context_id('attachments.context_type', 'attachments.context_id', 'Group', global=false) }} as group_id,
        {{ cd1_context_id('attachments.context_type', 'attachments.context_id', 'Quizzes::Quiz', global=false) }} as quiz_id,
        {{ cd1_context_id('attachments.context_type', 'attachments.context_id', 'Quizzes::QuizSubmission', global=false) }} as quiz_submission_id,
        {{ cd1_context_id('attachments.context_type', 'attachments.context_id', 'Submission', global=false) }} as context_submission_id,
        {{ cd1_context_id('attachments.context_type', 'attachments.context_id', 'User', global=false) }} as user_id
    from attachments
),

final as (
    select
        owners.attachment_id,
        owners.context_type,
        owners.account_id,
        owners.assignment_id,
        owners.course_id,
        owners.group_id,
        owners.quiz_id,
        owners.quiz_submission_id,
        owners.user_id,
        -- coalesce: a submission context, else the submission behind a quiz submission context
        coalesce(owners.context_submission_id, quiz_submissions.submission_id) as submission_id,
        message_attachments.conversation_message_id,
        conversation_messages.conversation_id,
        conversation_messages.author_id as conversation_message_author_id,
        -- coalesce: the quiz owning the file, else the quiz of the quiz submission owning it
        coalesce(owners.quiz_id, quiz_submissions.quiz_id) as related_quiz_id,
        -- coalesce: the first of assignment, quiz, quiz submission, submission that the file reaches
        coalesce(
            owners.assignment_id,
            quizzes.assignment_id,
            submissions.assignment_id
        ) as related_assignment_id,
        -- coalesce: the course owning the file, else the course of the assignment/quiz/submission
        coalesce(
            owners.course_id,
            {{ cd1_context_id('assignments.context_type', 'assignments.context_id', 'Course', global=false) }},
            {{ cd1_context_id('quizzes.context_type', 'quizzes.context_id', 'Course', global=false) }},
            submissions.course_id
        ) as related_course_id,
        groups.parent_course_id as group_parent_course_id,
        groups.group_category_id,
        groups.wiki_id as group_wiki_id,
        {{ cd1_context_id('conversations.context_type', 'conversations.context_id', 'Course', global=false) }} as conversation_course_id,
        submissions.grader_id,
        -- coalesce: the student of the submission, else of the quiz submission
        coalesce(submissions.user_id, quiz_submissions.user_id) as submission_user_id
    from owners
    left join quiz_submissions
        on quiz_submissions.id = owners.quiz_submission_id
    left join quizzes
        on quizzes.id = coalesce(owners.quiz_id, quiz_submissions.quiz_id)
    left join submissions
        on submissions.id = coalesce(owners.context_submission_id, quiz_submissions.submission_id)
    left join assignments
        on assignments.id = coalesce(owners.assignment_id, quizzes.assignment_id, submissions.assignment_id)
    left join message_attachments
        on message_attachments.attachment_id = owners.attachment_id
    left join conversation_messages
        on conversation_messages.id = message_attachments.conversation_message_id
    left join conversations
        on conversations.id = conversation_messages.conversation_id
    left join groups
        on groups.group_id = owners.group_id
)

select * from final
