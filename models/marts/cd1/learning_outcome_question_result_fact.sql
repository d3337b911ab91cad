{#- Same rows as learning_outcome_question_result_dim: current question results whose parent
    outcome result is not soft-deleted; user, context, assignment and quiz come from that parent.
    Incremental (macros/cd1/cd1_incremental.sql): one row per question result; a change of its
    outcome result, of the result's course (term) or of the rubric association the result is
    aligned through recomputes it. The rubric association's stamp is not in the marker. -#}
{%- set spec = {
    'unique_key': 'learning_outcome_question_result_id',
    'driving': 'base_canvas__learning_outcome_question_results',
    'parents': [
        {'base': 'base_canvas__learning_outcome_results', 'via': [['base_canvas__learning_outcome_question_results', 'learning_outcome_result_id']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__learning_outcome_results', 'context_id'], ['base_canvas__learning_outcome_question_results', 'learning_outcome_result_id']]},
        {'base': 'base_canvas__rubric_associations', 'via': [['base_canvas__learning_outcome_results', 'association_id'], ['base_canvas__learning_outcome_question_results', 'learning_outcome_result_id']]},
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
        cast(question_results.percent as double precision) as percent,
        {{ cd1_marker(['question_results', 'results', 'course_loaded']) }} as _dap_loaded_at
    from question_results
    left join results
        on results.id = question_results.learning_outcome_result_id
    left join alignments
        on alignments.learning_outcome_result_id = question_results.learning_outcome_result_id
    left join {{ ref('base_canvas__courses') }} as course_loaded
        on course_loaded.id = alignments.course_id
    where (
        results.workflow_state is null
        or results.workflow_state <> 'deleted'
    )
    {{ cd1_incremental_filter(plan, 'question_results.id', 'and') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
