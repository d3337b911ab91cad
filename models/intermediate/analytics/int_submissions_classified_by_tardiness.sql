{#- One row per (published assignment of a course, student of that course assigned it) with the
    student's submission and its tardiness status as the Analytics API tallies it. Canvas creates a
    submission row for every student an assignment is assigned to, so a pair without a row (or
    with a deleted one) is a student not assigned it: no row here, not counted anywhere.

    1. (no submission row: not assigned, left out);
    2. excused: on_time when submitted, else floating (an excused submission is never late or
       missing);
    3. late_policy_status 'missing' / 'late' (set by a teacher) wins; 'none' or 'extended' means
       neither;
    4. with no late_policy_status, cached_tardiness (Canvas' own automatic late / missing status)
       decides;
    5. otherwise on_time when submitted, else floating (not submitted and not missing: no due date,
       or not yet due).

    "Submitted" means a submitted_at on a submission with a submission_type (the API ignores
    submitted_at otherwise). Pairs of non-digital assignments (int_assignments_published_in_courses)
    are kept and flagged: the course-level breakdowns skip them, the student's assignment list
    keeps them. Local CD2 ids. -#}
with

assignments as (
    select * from {{ ref('int_assignments_published_in_courses') }}
),

students as (
    select * from {{ ref('int_student_enrollments_rolled_up') }}
),

submissions as (
    select * from {{ ref('stg_canvas__submissions') }}
    where workflow_state <> 'deleted'
),

joined as (
    select
        assignments.course_id,
        assignments.assignment_id,
        submissions.user_id,
        assignments.is_non_digital_submission,
        submissions.id as submission_id,
        case
            when submissions.submission_type is not null
                then {{ cd1_timestamp('submissions.submitted_at') }}
        end as submitted_at,
        {{ cd1_timestamp('submissions.posted_at') }} as posted_at,
        submissions.score,
        -- excused is nullable in CD2; a missing flag means not excused
        coalesce(submissions.excused, false) as is_excused,
        submissions.late_policy_status,
        submissions.cached_tardiness
    from submissions
    inner join assignments
        on assignments.assignment_id = submissions.assignment_id
    {#- a semi-join, not a join on (course_id, user_id): a join on both columns is estimated as
        if they were independent (thousands of times too few rows at scale large), and plans
        built on that estimate grow quadratically (DECISIONS.md, "Analytics reports") #}
    where exists (
        select 1
        from students
        where students.course_id = assignments.course_id
            and students.user_id = submissions.user_id
    )
),

final as (
    select
        course_id,
        assignment_id,
        user_id,
        is_non_digital_submission,
        submission_id,
        submitted_at,
        posted_at,
        score,
        is_excused,
        case
            when is_excused and submitted_at is not null then 'on_time'
            when is_excused then 'floating'
            when late_policy_status = 'missing' then 'missing'
            when late_policy_status = 'late' then 'late'
            when late_policy_status is null and cached_tardiness = 'missing' then 'missing'
            when late_policy_status is null and cached_tardiness = 'late' then 'late'
            when submitted_at is not null then 'on_time'
            else 'floating'
        end as tardiness_status
    from joined
)

select * from final
