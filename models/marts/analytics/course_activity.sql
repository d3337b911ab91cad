{#- Course activity (GET /api/v1/courses/:course_id/analytics/activity): page views and
    participations per UTC day over the course's history. One row per (course, date) with at least
    one page view. -#}
with

rollups as (
    select * from {{ ref('int_page_views_rolled_up') }}
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
        cast(sum(rollups.participations) as {{ dbt.type_bigint() }}) as participations
    from rollups
    {#- deleted courses (and courses unknown to canvas.courses) are left out #}
    inner join courses
        on courses.id = rollups.course_id
    group by
        rollups.course_id,
        rollups.request_date
)

select * from final
