{#- Current question results, less those whose parent outcome result is soft-deleted (that result
    is not in learning_outcome_result_dim). A parent missing altogether keeps the row.
    Incremental (macros/cd1/cd1_incremental.sql): a change of the parent outcome result (its
    state) recomputes the row. -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__learning_outcome_question_results',
    'parents': [
        {'base': 'base_canvas__learning_outcome_results', 'via': [['base_canvas__learning_outcome_question_results', 'learning_outcome_result_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
question_results as (
    {{ cd1_marked(ref('stg_canvas__learning_outcome_question_results'), ref('base_canvas__learning_outcome_question_results')) | indent(4) }}
),

results as (
    {{ cd1_marked(ref('stg_canvas__learning_outcome_results'), ref('base_canvas__learning_outcome_results')) | indent(4) }}
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
        {{ cd1_timestamp('question_results.submitted_at') }} as submitted_at,
        {{ cd1_marker(['question_results', 'results']) }} as _dap_loaded_at
    from question_results
    left join results
        on results.id = question_results.learning_outcome_result_id
    where (
        results.workflow_state is null
        or results.workflow_state <> 'deleted'
    )
    {{ cd1_incremental_filter(plan, 'question_results.id', 'and') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
