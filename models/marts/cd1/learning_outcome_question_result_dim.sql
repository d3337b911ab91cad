{#- Current question results, less those whose parent outcome result is soft-deleted (that result
    is not in learning_outcome_result_dim). A parent missing altogether keeps the row. -#}
with

question_results as (
    select * from {{ ref('stg_canvas__learning_outcome_question_results') }}
),

results as (
    select * from {{ ref('stg_canvas__learning_outcome_results') }}
),

final as (
    select
        {{ cd1_global_id('question_results.id') }} as id,
        {{ cd1_global_id('question_results.learning_outcome_result_id') }} as learning_outcome_result_id,
        {{ cd1_global_id('question_results.learning_outcome_id') }} as learning_outcome_id,
        {{ cd1_context_id('question_results.associated_asset_type', 'question_results.associated_asset_id', 'AssessmentQuestion') }} as assessment_question_id,
        cast(question_results.title as text) as title,
        {{ cd1_timestamp('question_results.created_at') }} as created_at,
        {{ cd1_timestamp('question_results.updated_at') }} as updated_at,
        {{ cd1_timestamp('question_results.assessed_at') }} as assessed_at,
        {{ cd1_timestamp('question_results.submitted_at') }} as submitted_at
    from question_results
    left join results
        on results.id = question_results.learning_outcome_result_id
    where results.workflow_state is null
        or results.workflow_state <> 'deleted'
)

select * from final
