{#- A department scope's page views and participations are the same summed by date or by
    category; returns the (account, scope, term) where they differ or exist on one side only. -#}
with

by_date as (
    select
        account_id,
        scope,
        term_id,
        sum(page_views) as page_views,
        sum(participations) as participations
    from {{ ref('department_activity_by_date') }}
    group by account_id, scope, term_id
),

by_category as (
    select
        account_id,
        scope,
        term_id,
        sum(page_views) as page_views,
        sum(participations) as participations
    from {{ ref('department_activity_by_category') }}
    group by account_id, scope, term_id
)

select
    coalesce(by_date.account_id, by_category.account_id) as account_id,
    coalesce(by_date.scope, by_category.scope) as scope,
    coalesce(by_date.term_id, by_category.term_id) as term_id,
    by_date.page_views as page_views_by_date,
    by_category.page_views as page_views_by_category
from by_date
full outer join by_category
    on by_category.account_id = by_date.account_id
    and by_category.scope = by_date.scope
    and by_category.term_id = by_date.term_id
where by_date.account_id is null
    or by_category.account_id is null
    or by_date.page_views <> by_category.page_views
    or by_date.participations <> by_category.participations
