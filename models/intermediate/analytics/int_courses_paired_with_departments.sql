{#- One row per (department, scope, term, course): which courses each department report counts.
    A department is any account that is not deleted; its courses are those of the account and of
    every sub-account below it. The API's three scopes:

    - 'current': available courses in the default term that have not concluded;
    - 'completed': concluded courses in the default term;
    - 'term': available or completed courses of term_id (every term).

    Concluded, as the API means it (Canvas' Course#concluded?): completed (hard-concluded), or
    available and past its own end (conclude_at) or its term's end (end_at), at the time dbt
    runs.

    Courses not yet offered (created, claimed) and deleted courses never count. The default term
    is var analytics_default_term_id when set, else the lowest-id active term named 'Default Term'
    (the name Canvas gives every root account's default term); term_id of the 'current' and
    'completed' rows is that term. Local CD2 ids. -#}
{%- set default_term_id = var('analytics_default_term_id', none) -%}
{%- if default_term_id is not none and default_term_id is not number -%}
    {{ exceptions.raise_compiler_error("int_courses_paired_with_departments: var 'analytics_default_term_id' must be a term id (integer), got " ~ default_term_id) }}
{%- endif %}

with

courses as (
    select * from {{ ref('stg_canvas__courses') }}
    where workflow_state in ('available', 'completed')
),

accounts as (
    select * from {{ ref('stg_canvas__accounts') }}
    where workflow_state <> 'deleted'
),

ancestors as (
    select * from {{ ref('int_accounts_paired_with_ancestors') }}
),

terms as (
    select * from {{ ref('stg_canvas__enrollment_terms') }}
),

default_term as (
    {%- if default_term_id is not none %}
    select cast({{ default_term_id | int }} as {{ dbt.type_bigint() }}) as term_id
    {%- else %}
    select min(id) as term_id
    from terms
    where name = 'Default Term'
        and workflow_state <> 'deleted'
    {%- endif %}
),

course_states as (
    select
        courses.id,
        courses.account_id,
        courses.enrollment_term_id,
        courses.workflow_state = 'completed'
            or courses.conclude_at < {{ dbt.current_timestamp() }}
            or terms.end_at < {{ dbt.current_timestamp() }} as is_concluded
    from courses
    left join terms
        on terms.id = courses.enrollment_term_id
),

course_departments as (
    select
        ancestors.ancestor_account_id as account_id,
        courses.id as course_id,
        courses.enrollment_term_id as term_id,
        -- coalesce: no end date on the course or its term means not concluded
        coalesce(courses.is_concluded, false) as is_concluded
    from course_states as courses
    inner join ancestors
        on ancestors.account_id = courses.account_id
    inner join accounts
        on accounts.id = ancestors.ancestor_account_id
),

scoped as (
    select
        course_departments.account_id,
        'current' as scope,
        course_departments.term_id,
        course_departments.course_id
    from course_departments
    inner join default_term
        on default_term.term_id = course_departments.term_id
    where not course_departments.is_concluded

    union all

    select
        course_departments.account_id,
        'completed' as scope,
        course_departments.term_id,
        course_departments.course_id
    from course_departments
    inner join default_term
        on default_term.term_id = course_departments.term_id
    where course_departments.is_concluded

    union all

    select
        course_departments.account_id,
        'term' as scope,
        course_departments.term_id,
        course_departments.course_id
    from course_departments
),

final as (
    select
        account_id,
        cast(scope as {{ dbt.type_string() }}) as scope,
        term_id,
        course_id
    from scoped
)

select * from final
