with

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
        {{ cd1_timestamp('quiz_submissions.due_at') }} as due_at
    from quiz_submissions
)

select * from final
