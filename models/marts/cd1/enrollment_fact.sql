{#- Incremental (macros/cd1/cd1_incremental.sql): one row per enrollment; a change of its course (term, account) recomputes
    it. -#}
{%- set spec = {
    'unique_key': 'enrollment_id',
    'driving': 'base_canvas__enrollments',
    'parents': [
        {'base': 'base_canvas__courses', 'via': [['base_canvas__enrollments', 'course_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
enrollments as (
    {{ cd1_marked(ref('stg_canvas__enrollments'), ref('base_canvas__enrollments')) | indent(4) }}
),

courses as (
    {{ cd1_marked(ref('stg_canvas__courses'), ref('base_canvas__courses')) | indent(4) }}
),

final as (
    select
        {{ cd1_global_id('enrollments.id') }} as enrollment_id,
        {{ cd1_global_id('enrollments.user_id') }} as user_id,
        {{ cd1_global_id('enrollments.course_id') }} as course_id,
        {{ cd1_global_id('courses.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('courses.account_id') }} as course_account_id,
        {{ cd1_global_id('enrollments.course_section_id') }} as course_section_id,
        cast(null as double precision) as computed_final_score,
        cast(null as double precision) as computed_current_score,
        {{ cd1_marker(['enrollments', 'courses']) }} as _dap_loaded_at
    from enrollments
    left join courses
        on courses.id = enrollments.course_id
    {{ cd1_incremental_filter(plan, 'enrollments.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
