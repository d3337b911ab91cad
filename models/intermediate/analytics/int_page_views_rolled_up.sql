{#- Page views and participations per (course, UTC day, category), the warehouse's counterpart of
    Canvas' page_views_rollups table, from which the API's course and department activity reports
    are summed. Courses that are deleted (or unknown to canvas.courses) are left out. Local ids. -#}
with

requests as (
    select * from {{ ref('int_web_logs_categorized') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
    where workflow_state <> 'deleted'
),

final as (
    select
        requests.course_id,
        requests.request_date,
        requests.category,
        count(*) as page_views,
        sum(case when requests.is_participation then 1 else 0 end) as participations
    from requests
    inner join courses
        on courses.id = requests.course_id
    group by
        requests.course_id,
        requests.request_date,
        requests.category
)

select * from final
