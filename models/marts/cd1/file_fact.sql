{#- Incremental (macros/cd1/cd1_incremental.sql): one row per file; a change of an attachment
    association (a deleted one's earlier values come from raw) recomputes its file, and a change
    of an object the file reaches recomputes the files whose row names it (conversation message,
    conversation, quiz submission, quiz, submission, assignment, group, course), the course also
    through the group or conversation the row names (the course of the term and wiki). The
    marker holds the stamps of the file, its assignment and its courses (the owners are read
    through int_attachments_joined_to_contexts). -#}
{%- set spec = {
    'unique_key': 'file_id',
    'driving': 'base_canvas__attachments',
    'parents': [
        {'base': 'base_canvas__attachment_associations', 'column': 'attachment_id', 'via': [['base_canvas__attachments', 'id']], 'history': true},
        {'base': 'base_canvas__conversation_messages', 'mart_column': 'conversation_message_id'},
        {'base': 'base_canvas__conversations', 'mart_column': 'conversation_id'},
        {'base': 'base_canvas__quiz_submissions', 'mart_column': 'quiz_submission_id'},
        {'base': 'base_canvas__quizzes', 'mart_column': 'quiz_id'},
        {'base': 'base_canvas__submissions', 'mart_column': 'submission_id'},
        {'base': 'base_canvas__assignments', 'mart_column': 'assignment_id'},
        {'base': 'base_canvas__groups', 'mart_column': 'group_id'},
        {'base': 'base_canvas__courses', 'mart_column': 'course_id'},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__groups', 'context_id']], 'into': 'group_id'},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__conversations', 'context_id']], 'into': 'conversation_id'},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
attachments as (
    {{ cd1_marked(ref('stg_canvas__attachments'), ref('base_canvas__attachments')) | indent(4) }}
),

owners as (
    select * from {{ ref('int_attachments_joined_to_contexts') }}
),

assignments as (
    {{ cd1_marked(ref('stg_canvas__assignments'), ref('base_canvas__assignments')) | indent(4) }}
),

courses as (
    {{ cd1_marked(ref('stg_canvas__courses'), ref('base_canvas__courses')) | indent(4) }}
),

resolved as (
    select
        attachments.id as attachment_id,
        attachments.folder_id,
        attachments.replacement_attachment_id,
        attachments.root_attachment_id,
        attachments.user_id as uploader_id,
        attachments.size,
        {{ cd1_marker(['attachments', 'assignments']) }} as _dap_loaded_at,
        owners.account_id,
        owners.related_assignment_id as assignment_id,
        assignments.assignment_group_id,
        owners.conversation_id,
        owners.conversation_message_author_id,
        owners.conversation_message_id,
        owners.related_course_id as course_id,
        owners.submission_user_id,
        owners.grader_id,
        owners.group_id,
        owners.group_category_id,
        owners.group_wiki_id,
        owners.related_quiz_id as quiz_id,
        owners.quiz_submission_id,
        owners.submission_id,
        owners.user_id,
        -- coalesce: the course the file reaches, else the group's course, else the conversation's course
        coalesce(
            owners.related_course_id,
            owners.group_parent_course_id,
            owners.conversation_course_id
        ) as term_course_id
    from attachments
    left join owners
        on owners.attachment_id = attachments.id
    left join assignments
        on assignments.id = owners.related_assignment_id
    {{ cd1_incremental_filter(plan, 'attachments.id') }}
),

final as (
    select
        {{ cd1_global_id('resolved.attachment_id') }} as file_id,
        {{ cd1_global_id('resolved.account_id') }} as account_id,
        {{ cd1_global_id('resolved.assignment_id') }} as assignment_id,
        {{ cd1_global_id('resolved.assignment_group_id') }} as assignment_group_id,
        {{ cd1_global_id('resolved.conversation_id') }} as conversation_id,
        {{ cd1_global_id('resolved.conversation_message_author_id') }} as conversation_message_author_id,
        {{ cd1_global_id('resolved.conversation_message_id') }} as conversation_message_id,
        {{ cd1_global_id('resolved.course_id') }} as course_id,
        {{ cd1_enrollment_rollup_id('resolved.submission_user_id', 'resolved.course_id') }} as enrollment_rollup_id,
        {{ cd1_global_id('term_courses.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('resolved.folder_id') }} as folder_id,
        {{ cd1_global_id('resolved.grader_id') }} as grader_id,
        {{ cd1_global_id('resolved.group_id') }} as group_id,
        {{ cd1_global_id('resolved.group_category_id') }} as group_category_id,
        {{ cd1_global_id('resolved.quiz_id') }} as quiz_id,
        {{ cd1_global_id('resolved.quiz_submission_id') }} as quiz_submission_id,
        {{ cd1_global_id('resolved.replacement_attachment_id') }} as replacement_file_id,
        {{ cd1_global_id('resolved.root_attachment_id') }} as root_file_id,
        cast(courses.sis_source_id as varchar(256)) as sis_source_id,
        {{ cd1_global_id('resolved.submission_id') }} as submission_id,
        {{ cd1_global_id('resolved.uploader_id') }} as uploader_id,
        {{ cd1_global_id('resolved.user_id') }} as user_id,
        -- coalesce: a group file belongs to the group's wiki, any other to its course's (as for the term)
        {{ cd1_global_id('coalesce(resolved.group_wiki_id, term_courses.wiki_id)') }} as wiki_id,
        cast(resolved.size as bigint) as size,
        {{ cd1_marker(['resolved', 'courses', 'term_courses']) }} as _dap_loaded_at
    from resolved
    left join courses
        on courses.id = resolved.course_id
    left join courses as term_courses
        on term_courses.id = resolved.term_course_id
)

select * from final
{{- cd1_incremental_deletions(plan) }}
