{#- Every current learning outcome result that is not soft-deleted (workflow_state 'deleted': CD1's
    result tables have no state column, and Canvas hides deleted results everywhere), with its owner
    (R6), the course's term (R5) and the assignment or quiz it was assessed on [inf]:
      - assignment_id: association_id when association_type = 'Assignment'; else, for a
        'RubricAssociation', the rubric association's assignment; else associated_asset_id when
        associated_asset_type = 'Assignment'
      - quiz_id: association_id when association_type = 'Quizzes::Quiz', else associated_asset_id
        when associated_asset_type = 'Quizzes::Quiz'
    Shared by learning_outcome_result_dim/_fact and learning_outcome_question_result_fact. Local ids. -#}
with

results as (
    select * from {{ ref('stg_canvas__learning_outcome_results') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

rubric_associations as (
    select * from {{ ref('stg_canvas__rubric_associations') }}
),

live_results as (
    select * from results
    where workflow_state <> 'deleted'
),

final as (
    select
        live_results.id as learning_outcome_result_id,
        live_results.learning_outcome_id,
        live_results.user_id,
        {{ cd1_context_id('live_results.context_type', 'live_results.context_id', 'Account', global=false) }} as account_id,
        {{ cd1_context_id('live_results.context_type', 'live_results.context_id', 'Course', global=false) }} as course_id,
        courses.enrollment_term_id,
        -- coalesce: the alignment (association) names the assignment first, the assessed asset second
        coalesce(
            {{ cd1_context_id('live_results.association_type', 'live_results.association_id', 'Assignment', global=false) }},
            {{ cd1_context_id('rubric_associations.association_type', 'rubric_associations.association_id', 'Assignment', global=false) }},
            {{ cd1_context_id('live_results.associated_asset_type', 'live_results.associated_asset_id', 'Assignment', global=false) }}
        ) as assignment_id,
        -- coalesce: the quiz the result is aligned to, else the quiz that was assessed
        coalesce(
            {{ cd1_context_id('live_results.association_type', 'live_results.association_id', 'Quizzes::Quiz', global=false) }},
            {{ cd1_context_id('live_results.associated_asset_type', 'live_results.associated_asset_id', 'Quizzes::Quiz', global=false) }}
        ) as quiz_id
    from live_results
    left join courses
        on live_results.context_type = 'Course'
        and courses.id = live_results.context_id
    left join rubric_associations
        on live_results.association_type = 'RubricAssociation'
        and rubric_associations.id = live_results.association_id
)

select * from final
