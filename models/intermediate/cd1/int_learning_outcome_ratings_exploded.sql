{#- One row per rating of a current learning outcome's rubric criterion
    (learning_outcomes.data -> rubric_criterion -> ratings, R13), CD1's
    learning_outcome_rubric_criterion grain, with the outcome's owner and term. Every element of the
    ratings array counts; ratings have no id of their own, so the surrogate id is
    cd1_surrogate_id('learning_outcome_rubric_criterion', outcome id, 1-based position in ratings).
    Local CD2 ids. -#}
with

outcomes as (
    select * from {{ ref('int_learning_outcomes_joined_to_contexts') }}
),

ratings as (
    select
        outcomes.learning_outcome_id,
        outcomes.account_id,
        outcomes.course_id,
        outcomes.enrollment_term_id,
        rating.ordinal as rating_position,
        {{ cd1_json_get_text('rating.element', 'description') }} as description,
        {{ cd1_json_get_number('rating.element', 'points') }} as points
    from outcomes
    {{ cd1_json_array_rows('outcomes.rubric_criterion', 'rating', key='ratings') }}
),

final as (
    select
        {{ cd1_surrogate_id(["'learning_outcome_rubric_criterion'", 'learning_outcome_id', 'rating_position']) }}
            as learning_outcome_rubric_criterion_id,
        learning_outcome_id,
        account_id,
        course_id,
        enrollment_term_id,
        cast(rating_position as {{ dbt.type_int() }}) as rating_position,
        description,
        points
    from ratings
)

select * from final
