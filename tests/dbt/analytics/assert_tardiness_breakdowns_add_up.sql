{#- Tardiness breakdowns are complete: a digital assignment's fractions add up to 1 over one pair
    per student of its course (a non-digital one, or one without students, has all zeros), and a
    student's counts add up to their total, the course's digital published assignments. Returns
    the offending assignments and students. -#}
with

assignments as (
    select * from {{ ref('course_assignments') }}
),

summaries as (
    select * from {{ ref('course_student_summaries') }}
),

students_per_course as (
    select course_id, count(*) as student_count
    from {{ ref('int_student_enrollments_rolled_up') }}
    group by course_id
),

digital_assignments_per_course as (
    select course_id, count(*) as assignment_count
    from {{ ref('int_assignments_published_in_courses') }}
    where not is_non_digital_submission
    group by course_id
),

bad_assignments as (
    select
        'assignment' as kind,
        assignments.assignment_id as id
    from assignments
    left join students_per_course
        on students_per_course.course_id = assignments.course_id
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
        -- coalesce: a course without students has none
        or assignments.tardiness_total <> case
            when assignments.is_non_digital_submission then 0
            else coalesce(students_per_course.student_count, 0)
        end
),

bad_students as (
    select
        'student' as kind,
        summaries.user_id as id
    from summaries
    left join digital_assignments_per_course
        on digital_assignments_per_course.course_id = summaries.course_id
    where summaries.on_time_count + summaries.late_count + summaries.missing_count
            + summaries.floating_count <> summaries.tardiness_total
        -- coalesce: a course without digital published assignments has none
        or summaries.tardiness_total <> coalesce(digital_assignments_per_course.assignment_count, 0)
)

select * from bad_assignments
union all
select * from bad_students
