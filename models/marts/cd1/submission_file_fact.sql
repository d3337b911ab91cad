{#- One row per (submission, attached file): the ids in submissions.attachment_ids (a comma list)
    plus the attachment_associations rows whose context is a submission. The pair has no Canvas id,
    so submission_file_id is generated from it. -#}
with

submissions as (
    select * from {{ ref('stg_canvas__submissions') }}
),

attachment_associations as (
    select * from {{ ref('stg_canvas__attachment_associations') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

listed_files as (
    select
        submissions.id as submission_id,
        attachment.element as attachment_id
    from submissions
    {{ cd1_id_list_rows('submissions.attachment_ids', 'attachment') }}
),

associated_files as (
    select
        context_id as submission_id,
        attachment_id
    from attachment_associations
    where context_type = 'Submission'
        and context_id is not null
        and attachment_id is not null
),

submission_files as (
    select submission_id, attachment_id from listed_files
    union
    select submission_id, attachment_id from associated_files
),

final as (
    select
        {{ cd1_surrogate_id(['submission_files.submission_id', 'submission_files.attachment_id']) }} as submission_file_id,
        {{ cd1_global_id('submission_files.attachment_id') }} as file_id,
        {{ cd1_global_id('submission_files.submission_id') }} as submission_id,
        {{ cd1_global_id('submissions.assignment_id') }} as assignment_id,
        {{ cd1_global_id('submissions.user_id') }} as user_id,
        {#- automatic graders (quizzes, tools) have a negative grader_id that is no user -#}
        {{ cd1_global_id('case when submissions.grader_id > 0 then submissions.grader_id end') }} as grader_id,
        {{ cd1_global_id('submissions.course_id') }} as course_id,
        {{ cd1_global_id('courses.enrollment_term_id') }} as enrollment_term_id
    from submission_files
    inner join submissions
        on submissions.id = submission_files.submission_id
    left join courses
        on courses.id = submissions.course_id
)

select * from final
