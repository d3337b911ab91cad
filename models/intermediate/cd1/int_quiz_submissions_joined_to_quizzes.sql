{#- Every classic quiz submission with its quiz's context and the values CD1 derived for it, shared
    by quiz_submission_dim/_fact and their _historical twins (CD2 keeps only the latest attempt, so
    both pairs read the same rows). Local CD2 ids; timestamps as in staging. -#}
with

quiz_submissions as (
    select * from {{ ref('stg_canvas__quiz_submissions') }}
),

quizzes as (
    select * from {{ ref('stg_canvas__quizzes') }}
),

quiz_context as (
    select * from {{ ref('int_quizzes_joined_to_courses') }}
),

final as (
    select
        quiz_submissions.id as quiz_submission_id,
        quiz_submissions.quiz_id,
        quiz_submissions.submission_id,
        quiz_submissions.user_id,
        quiz_context.course_id,
        quiz_context.assignment_id,
        quiz_context.course_account_id,
        quiz_context.enrollment_term_id,
        {{ cd1_enum('quiz_submissions.workflow_state') }} as workflow_state,
        case
            when quiz_submissions.manually_unlocked then 'manually_unlocked'
            else 'never_locked'
        end as quiz_state_during_submission,
        case
            when quiz_submissions.manually_scored then 'manually_overridden'
            {#- coalesce: Canvas treats a quiz without a scoring policy as keep_highest (CD1 default) #}
            else coalesce(quizzes.scoring_policy, 'keep_highest')
        end as submission_scoring_policy,
        case
            when quiz_submissions.was_preview then 'test_preview'
            else 'student'
        end as submission_source,
        case
            when quiz_submissions.has_seen_results then 'true'
            when not quiz_submissions.has_seen_results then 'false'
        end as has_seen_results,
        quiz_submissions.temporary_user_code,
        quiz_submissions.created_at,
        quiz_submissions.updated_at,
        quiz_submissions.started_at,
        quiz_submissions.finished_at,
        quiz_submissions.end_at as due_at,
        quiz_submissions.score,
        quiz_submissions.kept_score,
        quiz_submissions.quiz_points_possible,
        quiz_submissions.score_before_regrade,
        quiz_submissions.fudge_points,
        quiz_submissions.attempt,
        quiz_submissions.extra_attempts,
        quiz_submissions.extra_time,
        {{ dbt.datediff(cd1_timestamp('quiz_submissions.started_at'), cd1_timestamp('quiz_submissions.finished_at'), 'second') }} as time_taken
    from quiz_submissions
    left join quizzes
        on quizzes.id = quiz_submissions.quiz_id
    left join quiz_context
        on quiz_context.quiz_id = quiz_submissions.quiz_id
)

select * from final
