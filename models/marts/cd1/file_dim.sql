{#- Incremental (macros/cd1/cd1_incremental.sql): one row per file; a change of an attachment
    association (the conversation message it is attached to; a deleted one's earlier values come
    from raw) or of the quiz submission owning it (its submission) recomputes it. The marker is
    the file's own stamp (the owners are read through int_attachments_joined_to_contexts). -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__attachments',
    'parents': [
        {'base': 'base_canvas__attachment_associations', 'column': 'attachment_id', 'via': [['base_canvas__attachments', 'id']], 'history': true},
        {'base': 'base_canvas__quiz_submissions', 'mart_column': 'quiz_submission_id'},
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

final as (
    select
        {{ cd1_global_id('attachments.id') }} as id,
        attachments.id as canvas_id,
        cast(attachments.display_name as text) as display_name,
        {{ cd1_global_id('owners.account_id') }} as account_id,
        {{ cd1_global_id('owners.assignment_id') }} as assignment_id,
        {{ cd1_global_id('owners.conversation_message_id') }} as conversation_message_id,
        {{ cd1_global_id('owners.course_id') }} as course_id,
        {{ cd1_global_id('attachments.folder_id') }} as folder_id,
        {{ cd1_global_id('owners.group_id') }} as group_id,
        {{ cd1_global_id('owners.quiz_id') }} as quiz_id,
        {{ cd1_global_id('owners.quiz_submission_id') }} as quiz_submission_id,
        {{ cd1_global_id('attachments.replacement_attachment_id') }} as replacement_file_id,
        {{ cd1_global_id('attachments.root_attachment_id') }} as root_file_id,
        {{ cd1_global_id('owners.submission_id') }} as submission_id,
        {{ cd1_global_id('attachments.user_id') }} as uploader_id,
        {{ cd1_global_id('owners.user_id') }} as user_id,
        cast(
            case owners.context_type
                when 'Account' then 'account'
                when 'Assignment' then 'assignment'
                when 'Course' then 'course'
                when 'Group' then 'group'
                when 'Quizzes::Quiz' then 'quiz'
                when 'Quizzes::QuizSubmission' then 'quiz_submission'
                when 'Submission' then 'submission'
                when 'User' then 'user'
            end as varchar(256)
        ) as owner_entity_type,
        cast(attachments.content_type as varchar(256)) as content_type,
        cast(attachments.md5 as varchar(256)) as md5,
        cast({{ cd1_enum('attachments.file_state') }} as varchar(256)) as file_state,
        cast(
            -- coalesce: Canvas treats a NULL could_be_locked as false
            case when coalesce(attachments.could_be_locked, false) then 'allow_locking' else 'disallow_locking' end
            as varchar(256)
        ) as could_be_locked,
        cast(
            case
                when attachments.locked then 'is_locked'
                when not attachments.locked then 'is_not_locked'
            end as varchar(256)
        ) as locked,
        {{ cd1_timestamp('attachments.lock_at') }} as lock_at,
        {{ cd1_timestamp('attachments.unlock_at') }} as unlock_at,
        {{ cd1_timestamp('attachments.viewed_at') }} as viewed_at,
        {{ cd1_timestamp('attachments.created_at') }} as created_at,
        {{ cd1_timestamp('attachments.updated_at') }} as updated_at,
        {{ cd1_timestamp('attachments.deleted_at') }} as deleted_at,
        {{ cd1_marker(['attachments']) }} as _dap_loaded_at
    from attachments
    left join owners
        on owners.attachment_id = attachments.id
    {{ cd1_incremental_filter(plan, 'attachments.id') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
