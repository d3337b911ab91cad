{#- Incremental (macros/cd1/cd1_incremental.sql): one row per course score; a change of its enrollment or of
    the enrollment's course (account) recomputes it. The enrollment and course stamps come from their base models (the
    intermediate model does not carry them). -#}
{%- set spec = {
    'unique_key': 'score_id',
    'driving': 'base_canvas__scores',
    'parents': [
        {'base': 'base_canvas__enrollments', 'via': [['base_canvas__scores', 'enrollment_id']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__enrollments', 'course_id'], ['base_canvas__scores', 'enrollment_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
scores as (
    {{ cd1_marked(ref('stg_canvas__scores'), ref('base_canvas__scores')) | indent(4) }}
),

score_context as (
    select * from {{ ref('int_scores_joined_to_enrollments') }}
),

final as (
    select
        {{ cd1_global_id('scores.id') }} as score_id,
        scores.id as canvas_id,
        {{ cd1_global_id('score_context.course_account_id') }} as account_id,
        {{ cd1_global_id('score_context.course_id') }} as course_id,
        {{ cd1_global_id('scores.enrollment_id') }} as enrollment_id,
        cast(scores.current_score as double precision) as current_score,
        cast(scores.final_score as double precision) as final_score,
        cast(scores.unposted_current_score as double precision) as muted_current_score,
        cast(scores.unposted_final_score as double precision) as muted_final_score,
        {{ cd1_marker(['scores', 'enrollment_loaded', 'course_loaded']) }} as _dap_loaded_at
    from scores
    left join score_context
        on score_context.score_id = scores.id
    left join {{ ref('base_canvas__enrollments') }} as enrollment_loaded
        on enrollment_loaded.id = scores.enrollment_id
    left join {{ ref('base_canvas__courses') }} as course_loaded
        on course_loaded.id = score_context.course_id
    where scores.course_score
    {{ cd1_incremental_filter(plan, 'scores.id', 'and') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
