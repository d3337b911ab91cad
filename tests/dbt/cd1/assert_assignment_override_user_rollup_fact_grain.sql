{#- assignment_override_user_rollup_fact has one row per (override, user) the override reaches:
    live ad hoc students of ADHOC overrides, live student enrollments of a CourseSection override's
    section, live members of a Group override's group. Returns a row when the counts differ. -#}
with

overrides as (
    select * from {{ ref('stg_canvas__assignment_overrides') }}
),

reached_users as (
    select overrides.id as assignment_override_id, students.user_id
    from overrides
    inner join {{ ref('stg_canvas__assignment_override_students') }} as students
        on students.assignment_override_id = overrides.id
    where overrides.set_type = 'ADHOC'
        and students.workflow_state <> 'deleted'
    union
    select overrides.id, enrollments.user_id
    from overrides
    inner join {{ ref('stg_canvas__enrollments') }} as enrollments
        on enrollments.course_section_id = overrides.set_id
    where overrides.set_type = 'CourseSection'
        and enrollments.type in ('StudentEnrollment', 'StudentViewEnrollment')
        and enrollments.workflow_state <> 'deleted'
    union
    select overrides.id, memberships.user_id
    from overrides
    inner join {{ ref('stg_canvas__group_memberships') }} as memberships
        on memberships.group_id = overrides.set_id
    where overrides.set_type = 'Group'
        and memberships.workflow_state <> 'deleted'
),

mart as (
    select count(*) as row_count from {{ ref('assignment_override_user_rollup_fact') }}
),

source_grain as (
    select count(*) as row_count from reached_users
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
