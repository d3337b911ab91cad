{#- Incremental (macros/cd1/cd1_incremental.sql): one row per assignment; a change of its course
    (account, term) or of a content tag linking it to an external tool recomputes it. The course
    stamp comes from its base model; the tags' stamps are not in the marker (the tool is read
    through int_assignments_joined_to_external_tools). -#}
{%- set spec = {
    'unique_key': 'assignment_id',
    'driving': 'base_canvas__assignments',
    'parents': [
        {'base': 'base_canvas__courses', 'via': [['base_canvas__assignments', 'context_id']]},
        {'base': 'base_canvas__content_tags', 'column': 'context_id', 'via': [['base_canvas__assignments', 'id']], 'history': true},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
assignments as (
    {{ cd1_marked(ref('stg_canvas__assignments'), ref('base_canvas__assignments')) | indent(4) }}
),

assignment_context as (
    select * from {{ ref('int_assignments_joined_to_courses') }}
),

external_tools as (
    select * from {{ ref('int_assignments_joined_to_external_tools') }}
),

final as (
    select
        {{ cd1_global_id('assignments.id') }} as assignment_id,
        {{ cd1_global_id('assignment_context.course_id') }} as course_id,
        {{ cd1_global_id('assignment_context.course_account_id') }} as course_account_id,
        {{ cd1_global_id('assignment_context.enrollment_term_id') }} as enrollment_term_id,
        cast(assignments.points_possible as double precision) as points_possible,
        cast(assignments.peer_review_count as integer) as peer_review_count,
        {{ cd1_global_id('assignments.assignment_group_id') }} as assignment_group_id,
        {{ cd1_global_id('external_tools.external_tool_id') }} as external_tool_id,
        {{ cd1_marker(['assignments', 'course_loaded']) }} as _dap_loaded_at
    from assignments
    left join assignment_context
        on assignment_context.assignment_id = assignments.id
    left join external_tools
        on external_tools.assignment_id = assignments.id
    left join {{ ref('base_canvas__courses') }} as course_loaded
        on course_loaded.id = assignment_context.course_id
    {{ cd1_incremental_filter(plan, 'assignments.id') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
