{#- Department statistics by sub-account
    (GET /api/v1/accounts/:account_id/analytics/<scope>/statistics_by_subaccount): for every
    (account, scope, term) that holds a course, one row for the account itself and one per direct
    sub-account, with the department statistics of that row's courses among the department's
    courses in the scope: for the account itself the courses placed directly in it, for a
    sub-account the courses anywhere in its subtree (so the rows' course counts add up to the
    department's). Rows without courses carry zeros; a deleted sub-account has a row only while
    courses below it still count. -#}
with

department_courses as (
    select * from {{ ref('int_courses_paired_with_departments') }}
),

course_contents as (
    select * from {{ ref('int_courses_with_content_counts') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

enrollments as (
    select * from {{ ref('stg_canvas__enrollments') }}
    where workflow_state in ('active', 'completed')
        and type in ('TeacherEnrollment', 'StudentEnrollment')
),

accounts as (
    select * from {{ ref('stg_canvas__accounts') }}
),

scopes as (
    select distinct
        account_id,
        scope,
        term_id
    from department_courses
),

subaccount_rows as (
    select
        scopes.account_id,
        scopes.scope,
        scopes.term_id,
        scopes.account_id as subaccount_id
    from scopes

    union all

    select
        scopes.account_id,
        scopes.scope,
        scopes.term_id,
        accounts.id as subaccount_id
    from scopes
    inner join accounts
        on accounts.parent_account_id = scopes.account_id
),

row_courses as (
    {#- each course of a department counts in one row: the department's direct sub-account on
        the way down to the course's account (the ancestor one level below the department), or
        the department itself for a course placed directly in it. Found with one-to-one joins
        from the course, so the work grows with the department courses; matching every
        sub-account row against every course of the department and then keeping the pairs on
        the same chain grew with accounts times courses. #}
    select
        department_courses.account_id,
        department_courses.scope,
        department_courses.term_id,
        -- no ancestor below the department on the course's chain: placed directly in it
        coalesce(
            case departments.depth
                {%- for depth in range(15) %}
                when {{ depth }} then placements.subaccount{{ depth + 1 }}_id
                {%- endfor %}
            end,
            department_courses.account_id
        ) as subaccount_id,
        department_courses.course_id
    from department_courses
    inner join course_contents
        on course_contents.course_id = department_courses.course_id
    inner join ancestry as placements
        on placements.account_id = course_contents.account_id
    inner join ancestry as departments
        on departments.account_id = department_courses.account_id
),

contents as (
    select
        row_courses.account_id,
        row_courses.scope,
        row_courses.term_id,
        row_courses.subaccount_id,
        count(*) as course_count,
        sum(course_contents.discussion_topic_count) as discussion_topic_count,
        sum(course_contents.attachment_count) as attachment_count,
        sum(course_contents.assignment_count) as assignment_count
    from row_courses
    inner join course_contents
        on course_contents.course_id = row_courses.course_id
    group by
        row_courses.account_id,
        row_courses.scope,
        row_courses.term_id,
        row_courses.subaccount_id
),

people as (
    select
        row_courses.account_id,
        row_courses.scope,
        row_courses.term_id,
        row_courses.subaccount_id,
        count(distinct case when enrollments.type = 'TeacherEnrollment' then enrollments.user_id end) as teacher_count,
        count(distinct case when enrollments.type = 'StudentEnrollment' then enrollments.user_id end) as student_count
    from row_courses
    inner join enrollments
        on enrollments.course_id = row_courses.course_id
    group by
        row_courses.account_id,
        row_courses.scope,
        row_courses.term_id,
        row_courses.subaccount_id
),

final as (
    select
        subaccount_rows.account_id,
        cast(subaccount_rows.scope as varchar(16)) as scope,
        subaccount_rows.term_id,
        subaccount_rows.subaccount_id,
        cast(accounts.name as varchar(256)) as subaccount_name,
        -- a row without courses (or without enrollments) counts zero: the left joins give NULL
        cast(coalesce(contents.course_count, 0) as {{ dbt.type_bigint() }}) as courses,
        cast(coalesce(people.teacher_count, 0) as {{ dbt.type_bigint() }}) as teachers,
        cast(coalesce(people.student_count, 0) as {{ dbt.type_bigint() }}) as students,
        cast(coalesce(contents.discussion_topic_count, 0) as {{ dbt.type_bigint() }}) as discussion_topics,
        cast(null as {{ dbt.type_bigint() }}) as media_objects,
        cast(coalesce(contents.attachment_count, 0) as {{ dbt.type_bigint() }}) as attachments,
        cast(coalesce(contents.assignment_count, 0) as {{ dbt.type_bigint() }}) as assignments
    from subaccount_rows
    inner join accounts
        on accounts.id = subaccount_rows.subaccount_id
    left join contents
        on contents.account_id = subaccount_rows.account_id
        and contents.scope = subaccount_rows.scope
        and contents.term_id = subaccount_rows.term_id
        and contents.subaccount_id = subaccount_rows.subaccount_id
    left join people
        on people.account_id = subaccount_rows.account_id
        and people.scope = subaccount_rows.scope
        and people.term_id = subaccount_rows.term_id
        and people.subaccount_id = subaccount_rows.subaccount_id
    where accounts.workflow_state <> 'deleted'
        or contents.course_count > 0
)

select * from final
