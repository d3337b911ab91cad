{#- Every current group with the context it belongs to (a course or an account, R6), that course's
    account and term, and the group's category: the group columns several CD1 facts repeat
    (group_fact, group_membership_fact, discussion_topic_fact, wiki_fact, file_fact). Local ids. -#}
with

groups as (
    select * from {{ ref('stg_canvas__groups') }}
),

group_categories as (
    select * from {{ ref('stg_canvas__group_categories') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

final as (
    select
        groups.id as group_id,
        groups.context_type,
        {{ cd1_context_id('groups.context_type', 'groups.context_id', 'Course', global=false) }} as parent_course_id,
        {{ cd1_context_id('groups.context_type', 'groups.context_id', 'Account', global=false) }} as parent_account_id,
        courses.account_id as parent_course_account_id,
        courses.enrollment_term_id as parent_course_enrollment_term_id,
        groups.account_id,
        groups.group_category_id,
        group_categories.name as group_category_name,
        groups.wiki_id
    from groups
    left join courses
        on groups.context_type = 'Course'
        and courses.id = groups.context_id
    left join group_categories
        on group_categories.id = groups.group_category_id
)

select * from final
