{#- Course activity (GET /api/v1/courses/:course_id/analytics/activity): page views and
    participations per UTC day over the course's history. One row per (course, date) with at least
    one page view. _dap_loaded_at: the newest marker of the day's rollup rows.

    Incremental by day (macros/cd1/cd1_incremental.sql): a run recomputes, for every course, the
    days of the rollup rows changed since the mart's newest marker, and every day of a changed
    course that was deleted or restored (its presence in the mart differs from its state:
    analytics_course_day_keys); a new snapshot of the requests or the courses rebuilds it. -#}
{%- set spec = {
    'unique_key': 'activity_date',
    'driving': 'int_page_views_rolled_up',
    'key': 'request_date',
    'unique_key_sql': '{}',
    'driving_key_sql': '{}',
    'parents': [
        {'base': 'base_canvas__courses', 'keys_macro': 'analytics_course_day_keys'},
    ],
} -%}
{{ config(cd1_incremental_config(spec, {'post_hook': ["{{ cd1_create_index(this, ['course_id']) }}"]})) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
rollups as (
    select * from {{ ref('int_page_views_rolled_up') }}
    {{ cd1_incremental_filter(plan, 'request_date') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
    where workflow_state <> 'deleted'
),

final as (
    select
        rollups.course_id,
        rollups.request_date as activity_date,
        cast(sum(rollups.page_views) as {{ dbt.type_bigint() }}) as page_views,
        cast(sum(rollups.participations) as {{ dbt.type_bigint() }}) as participations,
        max(rollups._dap_loaded_at) as _dap_loaded_at
    from rollups
    {#- deleted courses (and courses unknown to canvas.courses) are left out #}
    inner join courses
        on courses.id = rollups.course_id
    group by
        rollups.course_id,
        rollups.request_date
)

select * from final
{{- cd1_incremental_deletions(plan) }}
