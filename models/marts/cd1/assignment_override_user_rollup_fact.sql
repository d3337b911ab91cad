{#- One row per (assignment override, user) the override applies to, by each kind of set:
    ADHOC          the override's live ad hoc students (assignment_override_students)
    CourseSection  the students enrolled in the section (live StudentEnrollment/StudentViewEnrollment)
    Group          the group's live members (group_memberships)
    Noop overrides apply to nobody. A user enrolled twice in one section counts once (lowest
    enrollment id). -#}
with

assignment_overrides as (
    select * from {{ ref('stg_canvas__assignment_overrides') }}
),

override_students as (
    select * from {{ ref('stg_canvas__assignment_override_students') }}
),

enrollments as (
    select * from {{ ref('stg_canvas__enrollments') }}
),

group_memberships as (
    select * from {{ ref('stg_canvas__group_memberships') }}
),

course_sections as (
    select * from {{ ref('stg_canvas__course_sections') }}
),

groups as (
    select * from {{ ref('stg_canvas__groups') }}
),

assignment_context as (
    select * from {{ ref('int_assignments_joined_to_courses') }}
),

quiz_context as (
    select * from {{ ref('int_quizzes_joined_to_courses') }}
),

adhoc_users as (
    select
        override_students.assignment_override_id,
        override_students.user_id,
        override_students.id as assignment_override_user_adhoc_id,
        cast(null as {{ dbt.type_bigint() }}) as enrollment_id
    from override_students
    inner join assignment_overrides
        on assignment_overrides.id = override_students.assignment_override_id
        and assignment_overrides.set_type = 'ADHOC'
    where override_students.workflow_state <> 'deleted'
),

section_users as (
    select
        assignment_overrides.id as assignment_override_id,
        enrollments.user_id,
        cast(null as {{ dbt.type_bigint() }}) as assignment_override_user_adhoc_id,
        enrollments.id as enrollment_id
    from assignment_overrides
    inner join enrollments
        on enrollments.course_section_id = assignment_overrides.set_id
    where assignment_overrides.set_type = 'CourseSection'
        and enrollments.type in ('StudentEnrollment', 'StudentViewEnrollment')
        and enrollments.workflow_state <> 'deleted'
),

group_users as (
    select
        assignment_overrides.id as assignment_override_id,
        group_memberships.user_id,
        cast(null as {{ dbt.type_bigint() }}) as assignment_override_user_adhoc_id,
        cast(null as {{ dbt.type_bigint() }}) as enrollment_id
    from assignment_overrides
    inner join group_memberships
        on group_memberships.group_id = assignment_overrides.set_id
    where assignment_overrides.set_type = 'Group'
        and group_memberships.workflow_state <> 'deleted'
),

override_users as (
    select * from adhoc_users
    union all
    select * from section_users
    union all
    select * from group_users
),

one_per_user as (
    select
        override_users.*,
        row_number() over (
            partition by assignment_override_id, user_id
            order by enrollment_id, assignment_override_user_adhoc_id
        ) as occurrence
    from override_users
),

overrides_in_context as (
    select
        assignment_overrides.*,
        {#- coalesce (all three): an ungraded quiz has no assignment; its course is the quiz's -#}
        coalesce(assignment_context.course_id, quiz_context.course_id) as course_id,
        coalesce(assignment_context.course_account_id, quiz_context.course_account_id) as course_account_id,
        coalesce(assignment_context.enrollment_term_id, quiz_context.enrollment_term_id) as enrollment_term_id,
        assignment_context.assignment_group_id
    from assignment_overrides
    left join assignment_context
        on assignment_context.assignment_id = assignment_overrides.assignment_id
    left join quiz_context
        on quiz_context.quiz_id = assignment_overrides.quiz_id
),

final as (
    select
        {{ cd1_global_id('overrides_in_context.assignment_id') }} as assignment_id,
        {{ cd1_global_id('one_per_user.assignment_override_id') }} as assignment_override_id,
        {{ cd1_global_id('one_per_user.assignment_override_user_adhoc_id') }} as assignment_override_user_adhoc_id,
        {{ cd1_global_id('overrides_in_context.assignment_group_id') }} as assignment_group_id,
        {{ cd1_global_id('overrides_in_context.course_id') }} as course_id,
        {{ cd1_global_id('overrides_in_context.course_account_id') }} as course_account_id,
        {{ cd1_context_id('overrides_in_context.set_type', 'overrides_in_context.set_id', 'CourseSection') }} as course_section_id,
        {{ cd1_global_id('one_per_user.enrollment_id') }} as enrollment_id,
        {{ cd1_global_id('overrides_in_context.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('groups.group_category_id') }} as group_category_id,
        {{ cd1_context_id('overrides_in_context.set_type', 'overrides_in_context.set_id', 'Group') }} as group_id,
        {{ cd1_context_id('groups.context_type', 'groups.context_id', 'Account') }} as group_parent_account_id,
        {{ cd1_global_id('groups.wiki_id') }} as group_wiki_id,
        {{ cd1_global_id('course_sections.nonxlist_course_id') }} as nonxlist_course_id,
        {{ cd1_global_id('overrides_in_context.quiz_id') }} as quiz_id,
        {{ cd1_global_id('one_per_user.user_id') }} as user_id
    from one_per_user
    inner join overrides_in_context
        on overrides_in_context.id = one_per_user.assignment_override_id
    left join course_sections
        on course_sections.id = overrides_in_context.set_id
        and overrides_in_context.set_type = 'CourseSection'
    left join groups
        on groups.id = overrides_in_context.set_id
        and overrides_in_context.set_type = 'Group'
    where one_per_user.occurrence = 1
)

select * from final
