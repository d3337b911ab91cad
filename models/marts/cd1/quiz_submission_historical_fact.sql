{#- One row per quiz submission, its latest attempt only (see quiz_submission_historical_dim):
    CD2 has no version history of quiz submissions.
    Incremental (macros/cd1/cd1_incremental.sql), as quiz_submission_fact: a change of the quiz or
    of the quiz's course recomputes it. The stamps come from the base models (the intermediate
    model does not carry them). -#}
{%- set spec = {
    'unique_key': 'quiz_submission_historical_id',
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
        cast(quiz_submissions.score as double precision) as score,
        cast(quiz_submissions.kept_score as double precision) as kept_score,
        {{ cd1_timestamp('quiz_submissions.finished_at') }} as date,
        {{ cd1_global_id('quiz_submissions.course_id') }} as course_id,
        {{ cd1_global_id('quiz_submissions.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('quiz_submissions.course_account_id') }} as course_account_id,
        {{ cd1_global_id('quiz_submissions.quiz_id') }} as quiz_id,
        {{ cd1_global_id('quiz_submissions.assignment_id') }} as assignment_id,
        {{ cd1_global_id('quiz_submissions.user_id') }} as user_id,
        {{ cd1_global_id('quiz_submissions.submission_id') }} as submission_id,
        {{ cd1_enrollment_rollup_id('quiz_submissions.user_id', 'quiz_submissions.course_id') }} as enrollment_rollup_id,
        {{ cd1_global_id('quiz_submissions.quiz_submission_id') }} as quiz_submission_historical_id,
        cast(quiz_submissions.quiz_points_possible as double precision) as quiz_points_possible,
        cast(quiz_submissions.score_before_regrade as double precision) as score_before_regrade,
        cast(quiz_submissions.fudge_points as double precision) as fudge_points,
        cast(quiz_submissions.attempt as integer) as total_attempts,
        cast(quiz_submissions.extra_attempts as integer) as extra_attempts,
        cast(quiz_submissions.extra_time as integer) as extra_time,
        cast(quiz_submissions.time_taken as integer) as time_taken,
        {{ cd1_marker(['quiz_submission_loaded', 'quiz_loaded', 'course_loaded']) }} as _dap_loaded_at
    from quiz_submissions
    left join {{ ref('base_canvas__quiz_submissions') }} as quiz_submission_loaded
        on quiz_submission_loaded.id = quiz_submissions.quiz_submission_id
    left join {{ ref('base_canvas__quizzes') }} as quiz_loaded
        on quiz_loaded.id = quiz_submissions.quiz_id
    left join {{ ref('base_canvas__courses') }} as course_loaded
        on course_loaded.id = quiz_submissions.course_id
    {{ cd1_incremental_filter(plan, 'quiz_submissions.quiz_submission_id') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
