{#- Each assignment of student_in_course_assignments carries course_assignments' course-wide
    statistics, and appears once per student of its course it is assigned to (who has a live
    submission row); returns the assignments where the
    statistics differ or the student count is off. -#}
with

student_rows as (
    select * from {{ ref('student_in_course_assignments') }}
),

assignments as (
    select * from {{ ref('course_assignments') }}
),

students_per_assignment as (
    select published.assignment_id, count(*) as student_count
    from {{ ref('int_assignments_published_in_courses') }} as published
    inner join {{ ref('int_student_enrollments_rolled_up') }} as students
        on students.course_id = published.course_id
    inner join {{ ref('stg_canvas__submissions') }} as submissions
        on submissions.assignment_id = published.assignment_id
        and submissions.user_id = students.user_id
        and submissions.workflow_state <> 'deleted'
    group by published.assignment_id
),

per_assignment as (
    select
        assignment_id,
        count(*) as student_count
    from student_rows
    group by assignment_id
),

mismatched_values as (
    select distinct student_rows.assignment_id
    from student_rows
    inner join assignments
        on assignments.assignment_id = student_rows.assignment_id
    -- coalesce: NULL statistics (no scores) must be NULL on both sides
    where coalesce(student_rows.median_score, -1) <> coalesce(assignments.median_score, -1)
        or coalesce(student_rows.first_quartile_score, -1) <> coalesce(assignments.first_quartile_score, -1)
        or coalesce(student_rows.third_quartile_score, -1) <> coalesce(assignments.third_quartile_score, -1)
        or coalesce(student_rows.min_score, -1) <> coalesce(assignments.min_score, -1)
        or coalesce(student_rows.max_score, -1) <> coalesce(assignments.max_score, -1)
        or student_rows.is_muted <> assignments.is_muted
)

select
    assignments.assignment_id,
    per_assignment.student_count,
    students_per_assignment.student_count as expected_student_count
from assignments
left join per_assignment
    on per_assignment.assignment_id = assignments.assignment_id
left join students_per_assignment
    on students_per_assignment.assignment_id = assignments.assignment_id
-- coalesce: no rows on either side is zero students
where coalesce(per_assignment.student_count, 0) <> coalesce(students_per_assignment.student_count, 0)
    or assignments.assignment_id in (select assignment_id from mismatched_values)
