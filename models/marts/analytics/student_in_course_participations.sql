{#- Student-in-course activity, participations
    (GET /api/v1/courses/:course_id/analytics/users/:student_id/activity, participations): one row
    per request of a student in a course that counts as participation (web_logs.participated),
    with its time, URL and category. _dap_loaded_at: the request's marker.

    Incremental per request (macros/cd1/cd1_incremental.sql): a run recomputes the requests
    changed since the mart's newest marker (deleted ones leave), and every request of a (course,
    user) pair that became a student or stopped being one (an enrollment or a course changed:
    macros/analytics/analytics_incremental.sql); a new snapshot of the requests, the enrollments
    or the courses rebuilds it. -#}
{%- set spec = {
    'unique_key': 'request_id',
    'driving': 'int_web_logs_categorized',
    'key': 'request_id',
    'unique_key_sql': '{}',
    'driving_key_sql': '{}',
    'parents': [
        {'base': 'base_canvas_logs__web_logs', 'via': [['base_canvas_logs__web_logs', 'id']]},
        {'base': 'base_canvas__enrollments', 'keys_macro': 'analytics_enrollment_pair_keys'},
        {'base': 'base_canvas__courses', 'keys_macro': 'analytics_course_pair_keys'},
    ],
} -%}
{{ config(cd1_incremental_config(spec, {'post_hook': ["{{ cd1_create_index(this, ['course_id', 'user_id']) }}"]})) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
students as (
    select * from {{ ref('int_student_enrollments_rolled_up') }}
),

requests as (
    select * from {{ ref('int_web_logs_categorized') }}
    where is_participation
        {{ cd1_incremental_filter(plan, 'request_id', 'and') }}
),

final as (
    select
        cast(request_id as varchar(36)) as request_id,
        course_id,
        user_id,
        requested_at as participated_at,
        cast(url as text) as url,
        cast(category as varchar(32)) as category,
        _dap_loaded_at
    from requests
    {#- students only: a semi-join, as in int_submissions_classified_by_tardiness #}
    where exists (
        select 1
        from students
        where students.course_id = requests.course_id
            and students.user_id = requests.user_id
    )
)

select * from final
{{- cd1_incremental_deletions(plan) }}
