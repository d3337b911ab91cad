with

outcomes as (
    select * from {{ ref('int_learning_outcomes_joined_to_contexts') }}
),

final as (
    select
        {{ cd1_global_id('outcomes.learning_outcome_id') }} as learning_outcome_id,
        {{ cd1_global_id('outcomes.account_id') }} as account_id,
        {{ cd1_global_id('outcomes.course_id') }} as course_id,
        {{ cd1_global_id('outcomes.enrollment_term_id') }} as enrollment_term_id,
        cast(outcomes.mastery_points as double precision) as mastery_points,
        cast(outcomes.points_possible as double precision) as points_possible,
        {#- added in CD1 4.2.2, after the 4.2.1 columns -#}
        {{ cd1_global_id('outcomes.outcome_import_id') }} as outcome_import_id
    from outcomes
)

select * from final
