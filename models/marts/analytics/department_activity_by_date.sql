{#- Department activity by date (GET /api/v1/accounts/:account_id/analytics/<scope>/activity,
    by_date): page views and participations per UTC day, summed over the department's courses in
    the scope. One row per (account, scope, term, date) with at least one page view. -#}
with

department_courses as (
    select * from {{ ref('int_courses_paired_with_departments') }}
),

rollups as (
    select * from {{ ref('int_page_views_rolled_up') }}
),

{#- summed over the categories first: each course's row joins the department of every account
    above it, so the join multiplies what it is given by the depth of the account tree #}
course_rollups as (
    select
        course_id,
        request_date,
        sum(page_views) as page_views,
        sum(participations) as participations
    from rollups
    group by
        course_id,
        request_date
),

final as (
    select
        department_courses.account_id,
        cast(department_courses.scope as varchar(16)) as scope,
        department_courses.term_id,
        course_rollups.request_date as activity_date,
        cast(sum(course_rollups.page_views) as {{ dbt.type_bigint() }}) as page_views,
        cast(sum(course_rollups.participations) as {{ dbt.type_bigint() }}) as participations
    from department_courses
    inner join course_rollups
        on course_rollups.course_id = department_courses.course_id
    group by
        department_courses.account_id,
        department_courses.scope,
        department_courses.term_id,
        course_rollups.request_date
)

select * from final
