{#- One row per rating of an outcome's rubric criterion (learning_outcomes.data); the generated id
    scheme is documented in int_learning_outcome_ratings_exploded. -#}
with

ratings as (
    select * from {{ ref('int_learning_outcome_ratings_exploded') }}
),

final as (
    select
        ratings.learning_outcome_rubric_criterion_id as id,
        {{ cd1_global_id('ratings.learning_outcome_id') }} as learning_outcome_id,
        cast(ratings.description as text) as description
    from ratings
)

select * from final
