with

groups as (
    select * from {{ ref('stg_canvas__groups') }}
),

contexts as (
    select * from {{ ref('int_groups_joined_to_contexts') }}
),

final as (
    select
        {{ cd1_global_id('groups.id') }} as group_id,
        {{ cd1_global_id('contexts.parent_course_id') }} as parent_course_id,
        {{ cd1_global_id('contexts.parent_account_id') }} as parent_account_id,
        {{ cd1_global_id('contexts.parent_course_account_id') }} as parent_course_account_id,
        {{ cd1_global_id('contexts.parent_course_enrollment_term_id') }} as enrollment_term_id,
        cast(groups.max_membership as integer) as max_membership,
        cast(groups.storage_quota as bigint) as storage_quota,
        {{ cd1_global_id('groups.group_category_id') }} as group_category_id,
        {{ cd1_global_id('groups.account_id') }} as account_id,
        {{ cd1_global_id('groups.wiki_id') }} as wiki_id
    from groups
    left join contexts
        on contexts.group_id = groups.id
)

select * from final
