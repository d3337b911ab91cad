{#- Every current wiki with the course or group that owns it. CD2 wikis carry no owner: the owner is
    the course (courses.wiki_id) or group (groups.wiki_id) pointing at the wiki (R8). Should several
    rows point at one wiki, a course wins over a group and the lowest id wins within each, so the
    grain stays one row per wiki. Local ids. -#}
with

wikis as (
    select * from {{ ref('stg_canvas__wikis') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

groups as (
    select * from {{ ref('int_groups_joined_to_contexts') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

course_owners as (
    select
        wiki_id,
        min(id) as course_id
    from courses
    where wiki_id is not null
    group by wiki_id
),

group_owners as (
    select
        wiki_id,
        min(group_id) as group_id
    from groups
    where wiki_id is not null
    group by wiki_id
),

owners as (
    select
        wikis.id as wiki_id,
        course_owners.course_id as parent_course_id,
        case when course_owners.course_id is null then group_owners.group_id end as parent_group_id
    from wikis
    left join course_owners
        on course_owners.wiki_id = wikis.id
    left join group_owners
        on group_owners.wiki_id = wikis.id
),

final as (
    select
        owners.wiki_id,
        case
            when owners.parent_course_id is not null then 'Course'
            when owners.parent_group_id is not null then 'Group'
        end as parent_type,
        owners.parent_course_id,
        owners.parent_group_id,
        courses.account_id as parent_course_account_id,
        groups.account_id as parent_group_account_id,
        -- coalesce: exactly one owner is set; its account is the wiki's account
        coalesce(courses.account_id, groups.account_id) as account_id,
        ancestry.root_account_id,
        courses.enrollment_term_id,
        groups.group_category_id
    from owners
    left join courses
        on courses.id = owners.parent_course_id
    left join groups
        on groups.group_id = owners.parent_group_id
    left join ancestry
        on ancestry.account_id = coalesce(courses.account_id, groups.account_id)
)

select * from final
