with

scores as (
    select * from {{ ref('stg_canvas__scores') }}
),

score_context as (
    select * from {{ ref('int_scores_joined_to_enrollments') }}
),

final as (
    select
        {{ cd1_global_id('scores.id') }} as score_id,
        scores.id as canvas_id,
        {{ cd1_global_id('score_context.course_account_id') }} as account_id,
        {{ cd1_global_id('score_context.course_id') }} as course_id,
        {{ cd1_global_id('scores.enrollment_id') }} as enrollment_id,
        {{ cd1_global_id('scores.grading_period_id') }} as grading_period_id,
        {{ cd1_global_id('score_context.grading_period_group_id') }} as grading_period_group_id,
        {{ cd1_global_id('score_context.grading_period_group_account_id') }} as grading_period_group_account_id,
        cast(scores.current_score as double precision) as current_score,
        cast(scores.final_score as double precision) as final_score,
        cast(scores.unposted_current_score as double precision) as muted_current_score,
        cast(scores.unposted_final_score as double precision) as muted_final_score
    from scores
    left join score_context
        on score_context.score_id = scores.id
    where scores.grading_period_id is not null
)

select * from final
