{#- Department grade distribution (GET /api/v1/accounts/:account_id/analytics/<scope>/grades):
    how many students' current course score rounds to each integer 0..100, one value per student
    per course (int_student_enrollments_rolled_up), summed over the department's courses in the
    scope; scores outside 0..100 and students without a score are ignored. Dense: all 101 bins
    for every (account, scope, term) that holds a course, zeros included, as the API returns. -#}
with

department_courses as (
    select * from {{ ref('int_courses_paired_with_departments') }}
),

students as (
    select * from {{ ref('int_student_enrollments_rolled_up') }}
    where score_bin is not null
),

scopes as (
    select distinct
        account_id,
        scope,
        term_id
    from department_courses
),

bins as (
    {%- for score in range(101) %}
    select {{ score }} as score{{ " union all" if not loop.last }}
    {%- endfor %}
),

counted as (
    select
        department_courses.account_id,
        department_courses.scope,
        department_courses.term_id,
        students.score_bin,
        count(*) as student_count
    from department_courses
    inner join students
        on students.course_id = department_courses.course_id
    group by
        department_courses.account_id,
        department_courses.scope,
        department_courses.term_id,
        students.score_bin
),

final as (
    select
        scopes.account_id,
        cast(scopes.scope as varchar(16)) as scope,
        scopes.term_id,
        cast(bins.score as integer) as score,
        -- a bin no student's score rounds to holds zero students (the API lists it with 0)
        cast(coalesce(counted.student_count, 0) as {{ dbt.type_bigint() }}) as student_count
    from scopes
    cross join bins
    left join counted
        on counted.account_id = scopes.account_id
        and counted.scope = scopes.scope
        and counted.term_id = scopes.term_id
        and counted.score_bin = bins.score
)

select * from final
