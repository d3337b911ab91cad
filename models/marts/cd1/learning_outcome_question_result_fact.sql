{#- Same rows as learning_outcome_question_result_dim: current question results whose parent
    outcome result is not soft-deleted; user, context, assignment and quiz come from that parent. -#}
with

question_results as (
    select * from {{ ref('stg_canvas__learning_outcome_question_results') }}
),

results as (
    select * from {{ ref('stg_canvas__learning_outcome_results') }}
),

alignments as (
    select * from {{ ref('int_learning_outcome_results_joined_to_alignments') }}
),

final as (
    select
        {{ cd1_global_id('question_results.id') }} as learning_outcome_question_result_id,
        {{ cd1_global_id('question_results.learning_outcome_result_id') }} as learning_outcome_result_id,
        {{ cd1_global_id('question_results.learning_outcome_id') }} as learning_outcome_id,
        {{ cd1_context_id('question_results.associated_asset_type', 'question_results.associated_asset_id', 'AssessmentQuestion') }} as assessment_question_id,
        {{ cd1_global_id('alignments.user_id') }} as user_id,
        {{ cd1_global_id('alignments.account_id') }} as account_id,
        {{ cd1_global_id('alignments.course_id') }} as course_id,
        {{ cd1_global_id('alignments.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('alignments.assignment_id') }} as assignment_id,
        {{ cd1_global_id('alignments.quiz_id') }} as quiz_id,
        question_results.mastery,
        cast(question_results.score as double precision) as score,
        cast(question_results.attempt as integer) as attempts,
        cast(question_results.possible as double precision) as possible,
        cast(question_results.original_score as double precision) as original_score,
        cast(question_results.original_possible as double precision) as original_possible,
        question_results.original_mastery,
        cast(question_results.percent as double precision) as percent
    from question_results
    left join results
        on results.id = question_results.learning_outcome_result_id
    left join alignments
        on alignments.learning_outcome_result_id = question_results.learning_outcome_result_id
    where results.workflow_state is null
        or results.workflow_state <> 'deleted'
)

select * from final
