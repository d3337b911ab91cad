{#- Department statistics (GET /api/v1/accounts/:account_id/analytics/<scope>/statistics): counts
    over the department's courses in the scope. One row per (account, scope, term) that holds at
    least one course. Teachers and students are distinct users with an active or completed
    Teacher / Student enrollment in those courses; subaccounts are the account's direct
    sub-accounts that are not deleted; media_objects is NULL (CD2 has no media_objects table). -#}
with

department_courses as (
    select * from {{ ref('int_courses_paired_with_departments') }}
),

course_contents as (
    select * from {{ ref('int_courses_with_content_counts') }}
),

enrollments as (
    select * from {{ ref('stg_canvas__enrollments') }}
    where workflow_state in ('active', 'completed')
        and type in ('TeacherEnrollment', 'StudentEnrollment')
),

accounts as (
    select * from {{ ref('stg_canvas__accounts') }}
    where workflow_state <> 'deleted'
),

contents as (
    select
        department_courses.account_id,
        department_courses.scope,
        department_courses.term_id,
        count(*) as course_count,
        sum(course_contents.discussion_topic_count) as discussion_topic_count,
        sum(course_contents.attachment_count) as attachment_count,
        sum(course_contents.assignment_count) as assignment_count
    from department_courses
    inner join course_contents
        on course_contents.course_id = department_courses.course_id
    group by
        department_courses.account_id,
        department_courses.scope,
        department_courses.term_id
),

people as (
    select
        department_courses.account_id,
        department_courses.scope,
        department_courses.term_id,
        count(distinct case when enrollments.type = 'TeacherEnrollment' then enrollments.user_id end) as teacher_count,
        count(distinct case when enrollments.type = 'StudentEnrollment' then enrollments.user_id end) as student_count
    from department_courses
    inner join enrollments
        on enrollments.course_id = department_courses.course_id
    group by
        department_courses.account_id,
        department_courses.scope,
        department_courses.term_id
),

subaccounts as (
    select
        parent_account_id as account_id,
        count(*) as subaccount_count
    from accounts
    where parent_account_id is not null
    group by parent_account_id
),

final as (
    select
        contents.account_id,
        cast(contents.scope as varchar(16)) as scope,
        contents.term_id,
        cast(contents.course_count as {{ dbt.type_bigint() }}) as courses,
        -- an account without sub-accounts, or courses without enrollments, count zero (left joins give NULL)
        cast(coalesce(subaccounts.subaccount_count, 0) as {{ dbt.type_bigint() }}) as subaccounts,
        cast(coalesce(people.teacher_count, 0) as {{ dbt.type_bigint() }}) as teachers,
        cast(coalesce(people.student_count, 0) as {{ dbt.type_bigint() }}) as students,
        cast(contents.discussion_topic_count as {{ dbt.type_bigint() }}) as discussion_topics,
        cast(null as {{ dbt.type_bigint() }}) as media_objects,
        cast(contents.attachment_count as {{ dbt.type_bigint() }}) as attachments,
        cast(contents.assignment_count as {{ dbt.type_bigint() }}) as assignments
    from contents
    left join people
        on people.account_id = contents.account_id
        and people.scope = contents.scope
        and people.term_id = contents.term_id
    left join subaccounts
        on subaccounts.account_id = contents.account_id
)

select * from final
