{#- Course student summaries (GET /api/v1/courses/:course_id/analytics/student_summaries): one row
    per student of a course (active or completed StudentEnrollment) with their page views and
    participations in the course, the course maxima, their levels, and their tardiness breakdown
    as counts over the course's digital published assignments.

    Levels follow the API: 0 when the student has none; otherwise 1 below the first quartile, 2
    below the third quartile, 3 from the third quartile up, where the quartiles (and maxima) are
    taken over the students of the course with at least one page view in it (the API's counters
    hold only those). -#}
with

students as (
    select * from {{ ref('int_student_enrollments_rolled_up') }}
),

requests as (
    select * from {{ ref('int_web_logs_categorized') }}
),

pairs as (
    select * from {{ ref('int_submissions_classified_by_tardiness') }}
    where not is_non_digital_submission
),

request_counts as (
    select
        course_id,
        user_id,
        count(*) as page_views,
        sum(case when is_participation then 1 else 0 end) as participations
    from requests
    group by
        course_id,
        user_id
),

student_counts as (
    select * from request_counts
    {#- students only: a semi-join, as in int_submissions_classified_by_tardiness #}
    where exists (
        select 1
        from students
        where students.course_id = request_counts.course_id
            and students.user_id = request_counts.user_id
    )
),

page_view_quartiles as (
    {{ analytics_quartiles('student_counts', ['course_id'], 'page_views') }}
),

participation_quartiles as (
    {{ analytics_quartiles('student_counts', ['course_id'], 'participations') }}
),

breakdowns as (
    select
        course_id,
        user_id,
        count(*) as tardiness_total,
        {%- for status in ['on_time', 'late', 'missing', 'floating'] %}
        sum(case when tardiness_status = '{{ status }}' then 1 else 0 end) as {{ status }}_count{{ "," if not loop.last }}
        {%- endfor %}
    from pairs
    group by
        course_id,
        user_id
),

final as (
    select
        students.course_id,
        students.user_id,
        cast(students.current_score as {{ dbt.type_float() }}) as current_score,
        -- a student without requests in the course has 0 page views and 0 participations
        cast(coalesce(student_counts.page_views, 0) as {{ dbt.type_bigint() }}) as page_views,
        -- a course where no student has a page view has a maximum of 0 (the API gives null)
        cast(coalesce(page_view_quartiles.max_value, 0) as {{ dbt.type_bigint() }}) as max_page_views,
        cast(
            case
                when coalesce(student_counts.page_views, 0) = 0 then 0
                when student_counts.page_views < page_view_quartiles.first_quartile then 1
                when student_counts.page_views < page_view_quartiles.third_quartile then 2
                else 3
            end as integer
        ) as page_views_level,
        -- as page_views
        cast(coalesce(student_counts.participations, 0) as {{ dbt.type_bigint() }}) as participations,
        -- as max_page_views
        cast(coalesce(participation_quartiles.max_value, 0) as {{ dbt.type_bigint() }}) as max_participations,
        cast(
            case
                when coalesce(student_counts.participations, 0) = 0 then 0
                when student_counts.participations < participation_quartiles.first_quartile then 1
                when student_counts.participations < participation_quartiles.third_quartile then 2
                else 3
            end as integer
        ) as participations_level,
        {%- for status in ['on_time', 'late', 'missing', 'floating'] %}
        -- a course without digital published assignments gives every student an empty breakdown
        cast(coalesce(breakdowns.{{ status }}_count, 0) as {{ dbt.type_bigint() }}) as {{ status }}_count,
        {%- endfor %}
        -- as the counts
        cast(coalesce(breakdowns.tardiness_total, 0) as {{ dbt.type_bigint() }}) as tardiness_total
    from students
    left join student_counts
        on student_counts.course_id = students.course_id
        and student_counts.user_id = students.user_id
    left join page_view_quartiles
        on page_view_quartiles.course_id = students.course_id
    left join participation_quartiles
        on participation_quartiles.course_id = students.course_id
    left join breakdowns
        on breakdowns.course_id = students.course_id
        and breakdowns.user_id = students.user_id
)

select * from final
