{#- The sub-account rows of a department scope split its courses: their course counts add up to
    department_statistics.courses, and every scope of one mart is in the other. Returns the scopes
    where they do not. -#}
with

statistics as (
    select * from {{ ref('department_statistics') }}
),

by_subaccount as (
    select
        account_id,
        scope,
        term_id,
        sum(courses) as courses
    from {{ ref('department_statistics_by_subaccount') }}
    group by account_id, scope, term_id
)

select
    coalesce(statistics.account_id, by_subaccount.account_id) as account_id,
    coalesce(statistics.scope, by_subaccount.scope) as scope,
    coalesce(statistics.term_id, by_subaccount.term_id) as term_id,
    statistics.courses as department_courses,
    by_subaccount.courses as subaccount_courses
from statistics
full outer join by_subaccount
    on by_subaccount.account_id = statistics.account_id
    and by_subaccount.scope = statistics.scope
    and by_subaccount.term_id = statistics.term_id
where statistics.account_id is null
    or by_subaccount.account_id is null
    or statistics.courses <> by_subaccount.courses
