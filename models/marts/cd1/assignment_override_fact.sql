with

assignment_overrides as (
    select * from {{ ref('stg_canvas__assignment_overrides') }}
),

assignment_context as (
    select * from {{ ref('int_assignments_joined_to_courses') }}
),

quiz_context as (
    select * from {{ ref('int_quizzes_joined_to_courses') }}
),

course_sections as (
    select * from {{ ref('stg_canvas__course_sections') }}
),

groups as (
    select * from {{ ref('stg_canvas__groups') }}
),

overrides_in_context as (
    select
        assignment_overrides.*,
        {#- coalesce (all three): an override of an ungraded quiz has no assignment; its course is the quiz's -#}
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
        {{ cd1_global_id('overrides_in_context.id') }} as assignment_override_id,
        {{ cd1_global_id('overrides_in_context.course_account_id') }} as account_id,
        {{ cd1_global_id('overrides_in_context.assignment_id') }} as assignment_id,
        {{ cd1_global_id('overrides_in_context.assignment_group_id') }} as assignment_group_id,
        {{ cd1_global_id('overrides_in_context.course_id') }} as course_id,
        {{ cd1_context_id('overrides_in_context.set_type', 'overrides_in_context.set_id', 'CourseSection') }} as course_section_id,
        {{ cd1_global_id('overrides_in_context.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_context_id('overrides_in_context.set_type', 'overrides_in_context.set_id', 'Group') }} as group_id,
        {{ cd1_global_id('groups.group_category_id') }} as group_category_id,
        {{ cd1_context_id('groups.context_type', 'groups.context_id', 'Account') }} as group_parent_account_id,
        {{ cd1_global_id('course_sections.nonxlist_course_id') }} as nonxlist_course_id,
        {{ cd1_global_id('overrides_in_context.quiz_id') }} as quiz_id,
        {{ cd1_global_id('groups.wiki_id') }} as group_wiki_id
    from overrides_in_context
    left join course_sections
        on course_sections.id = overrides_in_context.set_id
        and overrides_in_context.set_type = 'CourseSection'
    left join groups
        on groups.id = overrides_in_context.set_id
        and overrides_in_context.set_type = 'Group'
)

select * from final
