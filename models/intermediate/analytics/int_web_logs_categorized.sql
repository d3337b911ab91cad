{#- Every current web request made by a user in a course (canvas_logs.web_logs with a user_id and
    a course_id), with its UTC date and hour and its Analytics category: the controller's row in
    the seed analytics_controller_categories, else the row of the controller's last path segment
    (quizzes/quizzes -> quizzes), else 'other'. The one source of page views and participations in
    the analytics marts. _dap_loaded_at: the newer loader stamp of the request and its
    controller. Local CD2 ids.

    Incremental (macros/cd1/cd1_incremental.sql): a run takes the requests loaded since its
    newest marker and those of a changed controller; a request whose latest record is a delete
    tombstone (or that lost its user or course) is removed. The seed of categories carries no
    marker: after editing it, rebuild with --full-refresh. -#}
{%- set spec = {
    'unique_key': 'request_id',
    'driving': 'base_canvas_logs__web_logs',
    'unique_key_sql': '{}',
    'driving_key_sql': '{}',
    'parents': [
        {'base': 'base_canvas_logs__controller', 'via': [['base_canvas_logs__web_logs', 'web_application_controller']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
{#- the base model, not staging: staging drops the loader's stamp (_dap_loaded_at), the change
    marker of the incremental rollup int_page_views_rolled_up; the current rows are staging's,
    the base's without delete tombstones #}
web_logs as (
    select * from {{ ref('base_canvas_logs__web_logs') }}
    {#- snapshot rows may carry no action: they are upserts (as in staging) #}
    where coalesce(meta_action, 'U') <> 'D'
        and course_id is not null
        and user_id is not null
        {{ cd1_incremental_filter(plan, 'id', 'and') }}
),

controllers as (
    {{ cd1_marked(ref('stg_canvas_logs__controller'), ref('base_canvas_logs__controller')) | indent(4) }}
),

categories as (
    select * from {{ ref('analytics_controller_categories') }}
),

named as (
    select
        web_logs.id as request_id,
        web_logs.course_id,
        web_logs.user_id,
        {{ cd1_timestamp('web_logs.timestamp') }} as requested_at,
        web_logs.url,
        web_logs.participated as is_participation,
        lower(controllers.value) as controller,
        {{ cd1_marker(['web_logs', 'controllers']) }} as _dap_loaded_at
    from web_logs
    left join controllers
        on controllers.id = web_logs.web_application_controller
),

final as (
    select
        named.request_id,
        named.course_id,
        named.user_id,
        named.requested_at,
        cast(named.requested_at as date) as request_date,
        {{ dbt.date_trunc('hour', 'named.requested_at') }} as request_hour,
        named.url,
        named.is_participation,
        named.controller,
        -- a controller in neither form of the map (or no controller) counts as 'other', as in the API
        coalesce(exact_match.category, segment_match.category, 'other') as category,
        named._dap_loaded_at
    from named
    left join categories as exact_match
        on exact_match.controller = named.controller
    left join categories as segment_match
        on segment_match.controller = {{ dbt.split_part('named.controller', "'/'", -1) }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
