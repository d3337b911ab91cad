{#- Page views and participations per (course, UTC day, category), the warehouse's counterpart of
    Canvas' page_views_rollups table, from which the API's course and department activity reports
    are summed. Every course of the requests, deleted ones included: the reports leave those out
    (so that a course's deletion does not touch the rollups of all its days). Local ids.

    Incremental by day (macros/cd1/cd1_incremental.sql): a run recomputes the days of the
    requests loaded since the rollup's newest marker, for every course; a changed controller
    rebuilds everything, as does a new snapshot of web_logs. The seed of categories carries no
    marker: after editing it, rebuild with --full-refresh. A deleted request's day is not found
    again (web_logs is an append-only log: CD2 does not delete requests). -#}
{%- set spec = {
    'unique_key': 'request_date',
    'driving': 'int_web_logs_categorized',
    'key': 'request_date',
    'unique_key_sql': '{}',
    'driving_key_sql': '{}',
    'parents': [
        {'base': 'base_canvas_logs__controller', 'rebuild': true},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
requests as (
    select * from {{ ref('int_web_logs_categorized') }}
    {{ cd1_incremental_filter(plan, 'request_date') }}
),

final as (
    select
        course_id,
        request_date,
        category,
        count(*) as page_views,
        sum(case when is_participation then 1 else 0 end) as participations,
        max(_dap_loaded_at) as _dap_loaded_at
    from requests
    group by
        course_id,
        request_date,
        category
)

select * from final
{{- cd1_incremental_deletions(plan) }}
