{#- One row per quiz submission, its latest attempt only (see quiz_submission_historical_dim):
    CD2 has no version history of quiz submissions. -#}
with

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
        cast(quiz_submissions.time_taken as integer) as time_taken
    from quiz_submissions
)

select * from final
