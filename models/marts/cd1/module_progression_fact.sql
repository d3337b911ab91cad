{#- Incremental (macros/cd1/cd1_incremental.sql): one row per module progression; a change of its module or of the
    module's course (account, term, wiki) recomputes it. The module and course stamps come from
    their base models (the intermediate model does not carry them). -#}
{%- set spec = {
    'unique_key': 'module_progression_id',
    'driving': 'base_canvas__context_module_progressions',
    'parents': [
        {'base': 'base_canvas__context_modules', 'via': [['base_canvas__context_module_progressions', 'context_module_id']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__context_modules', 'context_id'], ['base_canvas__context_module_progressions', 'context_module_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
progressions as (
    {{ cd1_marked(ref('stg_canvas__context_module_progressions'), ref('base_canvas__context_module_progressions')) | indent(4) }}
),

modules as (
    select * from {{ ref('int_context_modules_joined_to_courses') }}
),

final as (
    select
        {{ cd1_global_id('progressions.id') }} as module_progression_id,
        {{ cd1_global_id('modules.course_account_id') }} as account_id,
        {{ cd1_global_id('modules.course_id') }} as course_id,
        {{ cd1_global_id('modules.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('progressions.context_module_id') }} as module_id,
        {{ cd1_global_id('progressions.user_id') }} as user_id,
        {{ cd1_global_id('modules.wiki_id') }} as wiki_id,
        {{ cd1_marker(['progressions', 'module_loaded', 'course_loaded']) }} as _dap_loaded_at
    from progressions
    left join modules
        on modules.module_id = progressions.context_module_id
    left join {{ ref('base_canvas__context_modules') }} as module_loaded
        on module_loaded.id = modules.module_id
    left join {{ ref('base_canvas__courses') }} as course_loaded
        on course_loaded.id = modules.course_id
    {{ cd1_incremental_filter(plan, 'progressions.id') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
