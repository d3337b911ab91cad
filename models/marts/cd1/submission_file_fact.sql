{#- One row per (submission, attached file): the ids in submissions.attachment_ids (a comma list)
    plus the attachment_associations rows whose context is a submission. The pair has no Canvas id,
    so submission_file_id is generated from it.
    Incremental (macros/cd1/cd1_incremental.sql), per submission: the unit it recomputes is a
    submission's rows (unique_key submission_id; delete+insert replaces all of them), when the
    submission changed (its attachment_ids), an attachment association naming it changed (a
    deleted one's earlier context from raw), or its course (term). The associations' stamps are
    not in the marker. -#}
{%- set spec = {
    'unique_key': 'submission_id',
    'driving': 'base_canvas__submissions',
    'parents': [
        {'base': 'base_canvas__attachment_associations', 'column': 'context_id', 'via': [['base_canvas__submissions', 'id']], 'history': true},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__submissions', 'course_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
{#- the submissions twice, not one CTE read twice: PostgreSQL materializes a CTE read twice, so
    every refresh copied all 4.5M submissions at --scale xlarge (54 s; DECISIONS.md) -#}
submissions as (
    {{ cd1_marked(ref('stg_canvas__submissions'), ref('base_canvas__submissions')) | indent(4) }}
),

file_submissions as (
    {{ cd1_marked(ref('stg_canvas__submissions'), ref('base_canvas__submissions')) | indent(4) }}
),

attachment_associations as (
    select * from {{ ref('stg_canvas__attachment_associations') }}
),

courses as (
    {{ cd1_marked(ref('stg_canvas__courses'), ref('base_canvas__courses')) | indent(4) }}
),

listed_files as (
    select
        submissions.id as submission_id,
        attachment.element as attachment_id
    from submissions
    {{ cd1_id_list_rows('submissions.attachment_ids', 'attachment') }}
    {{ cd1_incremental_filter(plan, 'submissions.id') }}
),

associated_files as (
    select
        context_id as submission_id,
        attachment_id
    from attachment_associations
    where context_type = 'Submission'
        and context_id is not null
        and attachment_id is not null
        {{ cd1_incremental_filter(plan, 'context_id', 'and') }}
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
        {{ cd1_global_id('file_submissions.assignment_id') }} as assignment_id,
        {{ cd1_global_id('file_submissions.user_id') }} as user_id,
        {#- automatic graders (quizzes, tools) have a negative grader_id that is no user -#}
        {{ cd1_global_id('case when file_submissions.grader_id > 0 then file_submissions.grader_id end') }} as grader_id,
        {{ cd1_global_id('file_submissions.course_id') }} as course_id,
        {{ cd1_global_id('courses.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_marker(['file_submissions', 'courses']) }} as _dap_loaded_at
    from submission_files
    inner join file_submissions
        on file_submissions.id = submission_files.submission_id
    left join courses
        on courses.id = file_submissions.course_id
    {{ cd1_incremental_filter(plan, 'file_submissions.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
