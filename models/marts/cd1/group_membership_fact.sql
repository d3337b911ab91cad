{#- Incremental (macros/cd1/cd1_incremental.sql): one row per group membership; a change of its
    group or of the group's course (account, term) recomputes it. The stamps come from the base
    models (the intermediate model does not carry them). The key is CD1's text id, so the spec
    maps it to the driving key and back. -#}
{%- set spec = {
    'unique_key': 'group_membership_id',
    'driving': 'base_canvas__group_memberships',
    'unique_key_sql': 'cast(' ~ cd1_global_id('{}') ~ ' as varchar(256))',
    'driving_key_sql': cd1_local_id('cast({} as ' ~ dbt.type_bigint() ~ ')'),
    'parents': [
        {'base': 'base_canvas__groups', 'via': [['base_canvas__group_memberships', 'group_id']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__groups', 'context_id'], ['base_canvas__group_memberships', 'group_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
memberships as (
    {{ cd1_marked(ref('stg_canvas__group_memberships'), ref('base_canvas__group_memberships')) | indent(4) }}
),

contexts as (
    select * from {{ ref('int_groups_joined_to_contexts') }}
),

final as (
    select
        {{ cd1_global_id('memberships.group_id') }} as group_id,
        {{ cd1_global_id('contexts.parent_course_id') }} as parent_course_id,
        {{ cd1_global_id('contexts.parent_account_id') }} as parent_account_id,
        {{ cd1_global_id('contexts.parent_course_account_id') }} as parent_course_account_id,
        {{ cd1_global_id('contexts.parent_course_enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('memberships.user_id') }} as user_id,
        cast({{ cd1_global_id('memberships.id') }} as varchar(256)) as group_membership_id,
        {{ cd1_marker(['memberships', 'group_loaded', 'course_loaded']) }} as _dap_loaded_at
    from memberships
    left join contexts
        on contexts.group_id = memberships.group_id
    left join {{ ref('base_canvas__groups') }} as group_loaded
        on group_loaded.id = memberships.group_id
    left join {{ ref('base_canvas__courses') }} as course_loaded
        on course_loaded.id = contexts.parent_course_id
    {{ cd1_incremental_filter(plan, 'memberships.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
