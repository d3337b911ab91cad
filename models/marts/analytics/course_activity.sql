{#- Course activity (GET /api/v1/courses/:course_id/analytics/activity): page views and
    participations per UTC day over the course's history. One row per (course, date) with at least
    one page view. -#}
with

rollups as (
    select * from {{ ref('int_page_views_rolled_up') }}
),

final as (
    select
        course_id,
        request_date as activity_date,
        cast(sum(page_views) as {{ dbt.type_bigint() }}) as page_views,
        cast(sum(participations) as {{ dbt.type_bigint() }}) as participations
    from rollups
    group by
        course_id,
        request_date
)

select * from final
