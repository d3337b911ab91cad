{#- CD1 kept every version (attempt) of a quiz submission here. CD2 exports only the current
    version of each quiz submission (its `versions` table is a stub with no data), so this holds one
    row per quiz submission: its latest attempt, as the current version.
    Incremental (macros/cd1/cd1_incremental.sql), as quiz_submission_dim: a change of the quiz or
    of the quiz's course recomputes it. The stamps come from the base models (the intermediate
    model does not carry them). -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__quiz_submissions',
    'parents': [
        {'base': 'base_canvas__quizzes', 'via': [['base_canvas__quiz_submissions', 'quiz_id']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__quizzes', 'context_id'], ['base_canvas__quiz_submissions', 'quiz_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
quiz_submissions as (
    select * from {{ ref('int_quiz_submissions_joined_to_quizzes') }}
),

final as (
    select
        {{ cd1_global_id('quiz_submissions.quiz_submission_id') }} as id,
        quiz_submissions.quiz_submission_id as canvas_id,
        {{ cd1_global_id('quiz_submissions.quiz_id') }} as quiz_id,
        {{ cd1_global_id('quiz_submissions.submission_id') }} as submission_id,
        {{ cd1_global_id('quiz_submissions.user_id') }} as user_id,
        cast(quiz_submissions.attempt as integer) as version_number,
        cast('current_submission' as varchar(256)) as submission_state,
        cast(quiz_submissions.workflow_state as varchar(256)) as workflow_state,
        cast(quiz_submissions.quiz_state_during_submission as varchar(256)) as quiz_state_during_submission,
        cast(quiz_submissions.submission_scoring_policy as varchar(256)) as submission_scoring_policy,
        cast(quiz_submissions.submission_source as varchar(256)) as submission_source,
        cast(quiz_submissions.has_seen_results as varchar(256)) as has_seen_results,
        cast(quiz_submissions.temporary_user_code as varchar(256)) as temporary_user_code,
        {{ cd1_timestamp('quiz_submissions.created_at') }} as created_at,
        {{ cd1_timestamp('quiz_submissions.updated_at') }} as updated_at,
        {{ cd1_timestamp('quiz_submissions.started_at') }} as started_at,
        {{ cd1_timestamp('quiz_submissions.finished_at') }} as finished_at,
        {{ cd1_timestamp('quiz_submissions.due_at') }} as due_at,
        {{ cd1_marker(['quiz_submission_loaded', 'quiz_loaded']) }} as _dap_loaded_at
    from quiz_submissions
    left join {{ ref('base_canvas__quiz_submissions') }} as quiz_submission_loaded
        on quiz_submission_loaded.id = quiz_submissions.quiz_submission_id
    left join {{ ref('base_canvas__quizzes') }} as quiz_loaded
        on quiz_loaded.id = quiz_submissions.quiz_id
    {{ cd1_incremental_filter(plan, 'quiz_submissions.quiz_submission_id') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
