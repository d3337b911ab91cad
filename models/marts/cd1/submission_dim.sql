{#- Incremental (macros/cd1/cd1_incremental.sql): one row per submission; a rubric assessment added or deleted recomputes the submission it
    assesses (has_rubric_assessment). -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__submissions',
    'parents': [
        {'base': 'base_canvas__rubric_assessments', 'column': 'artifact_id', 'history': true,
         'via': [['base_canvas__submissions', 'id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
submissions as (
    {{ cd1_marked(ref('stg_canvas__submissions'), ref('base_canvas__submissions')) | indent(4) }}
),

rubric_assessments as (
    select * from {{ ref('stg_canvas__rubric_assessments') }}
),

assessed_submissions as (
    select distinct artifact_id as submission_id
    from rubric_assessments
    where artifact_type = 'Submission'
),

final as (
    select
        {{ cd1_global_id('submissions.id') }} as id,
        submissions.id as canvas_id,
        submissions.body,
        cast(submissions.url as varchar(256)) as url,
        cast(submissions.grade as varchar(256)) as grade,
        {{ cd1_timestamp('submissions.submitted_at') }} as submitted_at,
        cast({{ cd1_enum('submissions.submission_type') }} as varchar(256)) as submission_type,
        cast({{ cd1_enum('submissions.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('submissions.created_at') }} as created_at,
        {{ cd1_timestamp('submissions.updated_at') }} as updated_at,
        submissions.processed,
        cast(null as integer) as process_attempts,
        submissions.grade_matches_current_submission,
        cast(submissions.published_grade as varchar(256)) as published_grade,
        {{ cd1_timestamp('submissions.graded_at') }} as graded_at,
        assessed_submissions.submission_id is not null as has_rubric_assessment,
        cast(submissions.attempt as integer) as attempt,
        cast(null as boolean) as has_admin_comment,
        {{ cd1_global_id('submissions.assignment_id') }} as assignment_id,
        cast(
            case
                when submissions.excused then 'excused_submission'
                else 'regular_submission'
            end as varchar(256)
        ) as excused,
        cast(
            case
                when submissions.graded_anonymously then 'graded_anonymously'
                else 'not_graded_anonymously'
            end as varchar(256)
        ) as graded_anonymously,
        {#- automatic graders (quizzes, tools) have a negative grader_id that is no user -#}
        {{ cd1_global_id('case when submissions.grader_id > 0 then submissions.grader_id end') }} as grader_id,
        {{ cd1_global_id('submissions.group_id') }} as group_id,
        {{ cd1_global_id('submissions.quiz_submission_id') }} as quiz_submission_id,
        {{ cd1_global_id('submissions.user_id') }} as user_id,
        {#- graded: any of CD2's grading signals (a grader, a score or grade, a grading time, the
            'graded' state, an excuse). Who graded: Canvas records automatic graders (quizzes, tools)
            as a negative grader_id and people as positive; with no grader recorded, quiz and tool
            submissions count as auto graded and the rest as human graded [inf] -#}
        cast(
            case
                when submissions.grader_id < 0 then 'auto_graded'
                when submissions.grader_id > 0 then 'human_graded'
                when submissions.score is null
                    and submissions.grade is null
                    and submissions.graded_at is null
                    and {{ cd1_enum('submissions.workflow_state') }} is distinct from 'graded'
                    and submissions.excused is not true
                    then 'not_graded'
                when {{ cd1_enum('submissions.submission_type') }} in ('online_quiz', 'external_tool', 'basic_lti_launch')
                    then 'auto_graded'
                else 'human_graded'
            end as varchar(256)
        ) as grade_state,
        {#- added to CD1 after 4.2.2, after the 4.2.1 columns -#}
        {{ cd1_timestamp('submissions.posted_at') }} as posted_at,
        {{ cd1_marker(['submissions']) }} as _dap_loaded_at
    from submissions
    left join assessed_submissions
        on assessed_submissions.submission_id = submissions.id
    {{ cd1_incremental_filter(plan, 'submissions.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
