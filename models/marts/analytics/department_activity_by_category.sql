{#- Department activity by category (GET /api/v1/accounts/:account_id/analytics/<scope>/activity,
    by_category): page views (and participations) per category, summed over the department's
    courses in the scope. One row per (account, scope, term, category) with at least one page
    view. -#}
with

department_courses as (
    select * from {{ ref('int_courses_paired_with_departments') }}
),

rollups as (
    select * from {{ ref('int_page_views_rolled_up') }}
),

final as (
    select
        department_courses.account_id,
        cast(department_courses.scope as varchar(16)) as scope,
        department_courses.term_id,
        cast(rollups.category as varchar(32)) as category,
        cast(sum(rollups.page_views) as {{ dbt.type_bigint() }}) as page_views,
        cast(sum(rollups.participations) as {{ dbt.type_bigint() }}) as participations
    from department_courses
    inner join rollups
        on rollups.course_id = department_courses.course_id
    group by
        department_courses.account_id,
        department_courses.scope,
        department_courses.term_id,
        rollups.category
)

select * from final
