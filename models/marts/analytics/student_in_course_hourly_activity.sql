{#- Student-in-course activity, page views
    (GET /api/v1/courses/:course_id/analytics/users/:student_id/activity, page_views): a student's
    page views (and participations) in a course per UTC hour. One row per (course, student, hour)
    with at least one page view; students are those with an active or completed StudentEnrollment.
    _dap_loaded_at: the newest marker of the hour's requests.

    Incremental by hour (macros/cd1/cd1_incremental.sql): a run recomputes, for every student, the
    hours of the requests changed since the mart's newest marker, and every hour with requests of
    a (course, user) pair that became a student or stopped being one (an enrollment or a course
    changed: macros/analytics/analytics_incremental.sql); a new snapshot of the requests, the
    enrollments or the courses rebuilds it. -#}
{%- set spec = {
    'unique_key': 'activity_hour',
    'driving': 'int_web_logs_categorized',
    'key': 'request_hour',
    'unique_key_sql': '{}',
    'driving_key_sql': '{}',
    'parents': [
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
    {{ cd1_incremental_filter(plan, 'request_hour') }}
),

final as (
    select
        course_id,
        user_id,
        request_hour as activity_hour,
        cast(count(*) as {{ dbt.type_bigint() }}) as page_views,
        cast(sum(case when is_participation then 1 else 0 end) as {{ dbt.type_bigint() }}) as participations,
        max(_dap_loaded_at) as _dap_loaded_at
    from requests
    {#- students only: a semi-join, as in int_submissions_classified_by_tardiness #}
    where exists (
        select 1
        from students
        where students.course_id = requests.course_id
            and students.user_id = requests.user_id
    )
    group by
        course_id,
        user_id,
        request_hour
)

select * from final
{{- cd1_incremental_deletions(plan) }}
