{#- Tardiness breakdowns are complete: a digital assignment's fractions add up to 1 over one pair
    per student of its course it is assigned to, i.e. who has a live submission row (a non-digital
    one, or one without such students, has all zeros), and a student's counts add up to their
    total, the course's digital published assignments they have a submission row for. Returns the
    offending assignments and students. -#}
with

assignments as (
    select * from {{ ref('course_assignments') }}
),

summaries as (
    select * from {{ ref('course_student_summaries') }}
),

assigned_pairs as (
    select
        published.course_id,
        published.assignment_id,
        published.is_non_digital_submission,
        students.user_id
    from {{ ref('int_assignments_published_in_courses') }} as published
    inner join {{ ref('int_student_enrollments_rolled_up') }} as students
        on students.course_id = published.course_id
    inner join {{ ref('stg_canvas__submissions') }} as submissions
        on submissions.assignment_id = published.assignment_id
        and submissions.user_id = students.user_id
        and submissions.workflow_state <> 'deleted'
),

students_per_assignment as (
    select assignment_id, count(*) as student_count
    from assigned_pairs
    group by assignment_id
),

digital_assignments_per_student as (
    select course_id, user_id, count(*) as assignment_count
    from assigned_pairs
    where not is_non_digital_submission
    group by course_id, user_id
),

bad_assignments as (
    select
        'assignment' as kind,
        assignments.assignment_id as id
    from assignments
    left join students_per_assignment
        on students_per_assignment.assignment_id = assignments.assignment_id
    where (
            not assignments.is_non_digital_submission
            and assignments.tardiness_total > 0
            and abs(assignments.on_time_fraction + assignments.late_fraction
                + assignments.missing_fraction + assignments.floating_fraction - 1) > 1e-9
        )
        or (
            assignments.tardiness_total = 0
            and assignments.on_time_fraction + assignments.late_fraction
                + assignments.missing_fraction + assignments.floating_fraction <> 0
        )
        -- coalesce: an assignment no student is assigned has none
        or assignments.tardiness_total <> case
            when assignments.is_non_digital_submission then 0
            else coalesce(students_per_assignment.student_count, 0)
        end
),

bad_students as (
    select
        'student' as kind,
        summaries.user_id as id
    from summaries
    left join digital_assignments_per_student
        on digital_assignments_per_student.course_id = summaries.course_id
        and digital_assignments_per_student.user_id = summaries.user_id
    where summaries.on_time_count + summaries.late_count + summaries.missing_count
            + summaries.floating_count <> summaries.tardiness_total
        -- coalesce: a student assigned no digital published assignment has none
        or summaries.tardiness_total <> coalesce(digital_assignments_per_student.assignment_count, 0)
)

select * from bad_assignments
union all
select * from bad_students
