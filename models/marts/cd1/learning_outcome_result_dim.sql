{#- Incremental (macros/cd1/cd1_incremental.sql): one row per outcome result; a change of its
    course (term) or of the rubric association it is aligned through recomputes it. The course
    stamp comes from its base model; the rubric association's is not in the marker (read through
    int_learning_outcome_results_joined_to_alignments). -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__learning_outcome_results',
    'parents': [
        {'base': 'base_canvas__courses', 'via': [['base_canvas__learning_outcome_results', 'context_id']]},
        {'base': 'base_canvas__rubric_associations', 'via': [['base_canvas__learning_outcome_results', 'association_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
results as (
    {{ cd1_marked(ref('stg_canvas__learning_outcome_results'), ref('base_canvas__learning_outcome_results')) | indent(4) }}
),

alignments as (
    select * from {{ ref('int_learning_outcome_results_joined_to_alignments') }}
),

final as (
    select
        {{ cd1_global_id('results.id') }} as id,
        results.id as canvas_id,
        {{ cd1_global_id('alignments.account_id') }} as account_id,
        {{ cd1_global_id('alignments.course_id') }} as course_id,
        {{ cd1_global_id('alignments.assignment_id') }} as assignment_id,
        {{ cd1_global_id('alignments.quiz_id') }} as quiz_id,
        {{ cd1_global_id('results.learning_outcome_id') }} as learning_outcome_id,
        {{ cd1_global_id('results.user_id') }} as user_id,
        {{ cd1_timestamp('results.created_at') }} as created_at,
        {{ cd1_timestamp('results.updated_at') }} as updated_at,
        {{ cd1_timestamp('results.assessed_at') }} as assessed_at,
        {{ cd1_timestamp('results.submitted_at') }} as submitted_at,
        results.hide_points,
        results.hidden,
        {{ cd1_marker(['results', 'course_loaded']) }} as _dap_loaded_at
    from results
    {#- inner join: the int model keeps only results that are not soft-deleted #}
    inner join alignments
        on alignments.learning_outcome_result_id = results.id
    left join {{ ref('base_canvas__courses') }} as course_loaded
        on course_loaded.id = alignments.course_id
    {{ cd1_incremental_filter(plan, 'results.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
