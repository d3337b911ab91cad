{#- Student-in-course activity, page views
    (GET /api/v1/courses/:course_id/analytics/users/:student_id/activity, page_views): a student's
    page views (and participations) in a course per UTC hour. One row per (course, student, hour)
    with at least one page view; students are those with an active or completed StudentEnrollment. -#}
with

students as (
    select * from {{ ref('int_student_enrollments_rolled_up') }}
),

requests as (
    select * from {{ ref('int_web_logs_categorized') }}
),

final as (
    select
        course_id,
        user_id,
        request_hour as activity_hour,
        cast(count(*) as {{ dbt.type_bigint() }}) as page_views,
        cast(sum(case when is_participation then 1 else 0 end) as {{ dbt.type_bigint() }}) as participations
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
