{#- Every department scope that holds a course has the 101 bins 0..100, and its counts add up to
    the students (one per course) of its courses whose current score rounds into 0..100. Returns
    the scopes where either fails. -#}
with

distribution as (
    select
        account_id,
        scope,
        term_id,
        count(*) as bin_count,
        min(score) as lowest_bin,
        max(score) as highest_bin,
        sum(student_count) as student_count
    from {{ ref('department_grade_distribution') }}
    group by account_id, scope, term_id
),

department_courses as (
    select * from {{ ref('int_courses_paired_with_departments') }}
),

students as (
    select * from {{ ref('int_student_enrollments_rolled_up') }}
),

expected as (
    select
        department_courses.account_id,
        department_courses.scope,
        department_courses.term_id,
        sum(case when students.score_bin is not null then 1 else 0 end) as student_count
    from department_courses
    left join students
        on students.course_id = department_courses.course_id
    group by
        department_courses.account_id,
        department_courses.scope,
        department_courses.term_id
)

select
    coalesce(distribution.account_id, expected.account_id) as account_id,
    coalesce(distribution.scope, expected.scope) as scope,
    coalesce(distribution.term_id, expected.term_id) as term_id,
    distribution.bin_count,
    distribution.student_count,
    expected.student_count as expected_student_count
from distribution
full outer join expected
    on expected.account_id = distribution.account_id
    and expected.scope = distribution.scope
    and expected.term_id = distribution.term_id
where distribution.account_id is null
    or expected.account_id is null
    or distribution.bin_count <> 101
    or distribution.lowest_bin <> 0
    or distribution.highest_bin <> 100
    or distribution.student_count <> expected.student_count
