{#- Student-in-course activity, participations
    (GET /api/v1/courses/:course_id/analytics/users/:student_id/activity, participations): one row
    per request of a student in a course that counts as participation (web_logs.participated),
    with its time, URL and category. -#}
with

students as (
    select * from {{ ref('int_student_enrollments_rolled_up') }}
),

requests as (
    select * from {{ ref('int_web_logs_categorized') }}
    where is_participation
),

final as (
    select
        cast(request_id as varchar(36)) as request_id,
        course_id,
        user_id,
        requested_at as participated_at,
        cast(url as text) as url,
        cast(category as varchar(32)) as category
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
