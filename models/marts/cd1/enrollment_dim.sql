{#- Incremental (macros/cd1/cd1_incremental.sql): one row per enrollment; a change of its course recomputes it, and a change
    of an account those of the courses below it (root_account_id follows the account tree; the
    accounts' stamps are not in the marker: the tree is read through int_accounts_with_ancestry). -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__enrollments',
    'parents': [
        {'base': 'base_canvas__courses', 'via': [['base_canvas__enrollments', 'course_id']]},
        {'base': 'base_canvas__accounts', 'via': [['int_accounts_paired_with_ancestors', 'ancestor_account_id', 'account_id'], ['base_canvas__courses', 'account_id'], ['base_canvas__enrollments', 'course_id']]},
        {'base': 'base_canvas__accounts', 'via': [['base_canvas__courses', 'account_id'], ['base_canvas__enrollments', 'course_id']]},
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

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

final as (
    select
        {{ cd1_global_id('enrollments.id') }} as id,
        enrollments.id as canvas_id,
        {{ cd1_global_id('ancestry.root_account_id') }} as root_account_id,
        {{ cd1_global_id('enrollments.course_section_id') }} as course_section_id,
        {{ cd1_global_id('enrollments.role_id') }} as role_id,
        cast({{ cd1_enum('enrollments.type') }} as varchar(256)) as type,
        cast({{ cd1_enum('enrollments.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('enrollments.created_at') }} as created_at,
        {{ cd1_timestamp('enrollments.updated_at') }} as updated_at,
        {{ cd1_timestamp('enrollments.start_at') }} as start_at,
        {{ cd1_timestamp('enrollments.end_at') }} as end_at,
        {{ cd1_timestamp('enrollments.completed_at') }} as completed_at,
        enrollments.self_enrolled,
        cast(null as varchar(256)) as sis_source_id,
        {{ cd1_global_id('enrollments.course_id') }} as course_id,
        {{ cd1_global_id('enrollments.user_id') }} as user_id,
        {{ cd1_timestamp('enrollments.last_activity_at') }} as last_activity_at,
        {{ cd1_marker(['enrollments', 'courses']) }} as _dap_loaded_at
    from enrollments
    left join courses
        on courses.id = enrollments.course_id
    left join ancestry
        on ancestry.account_id = courses.account_id
    {{ cd1_incremental_filter(plan, 'enrollments.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
