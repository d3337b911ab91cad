with

ratings as (
    select * from {{ ref('int_learning_outcome_ratings_exploded') }}
),

final as (
    select
        ratings.learning_outcome_rubric_criterion_id,
        {{ cd1_global_id('ratings.learning_outcome_id') }} as learning_outcome_id,
        {{ cd1_global_id('ratings.account_id') }} as account_id,
        {{ cd1_global_id('ratings.course_id') }} as course_id,
        {{ cd1_global_id('ratings.enrollment_term_id') }} as enrollment_term_id,
        cast(ratings.points as double precision) as points
    from ratings
)

select * from final
