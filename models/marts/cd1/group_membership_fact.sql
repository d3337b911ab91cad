with

memberships as (
    select * from {{ ref('stg_canvas__group_memberships') }}
),

contexts as (
    select * from {{ ref('int_groups_joined_to_contexts') }}
),

final as (
    select
        {{ cd1_global_id('memberships.group_id') }} as group_id,
        {{ cd1_global_id('contexts.parent_course_id') }} as parent_course_id,
        {{ cd1_global_id('contexts.parent_account_id') }} as parent_account_id,
        {{ cd1_global_id('contexts.parent_course_account_id') }} as parent_course_account_id,
        {{ cd1_global_id('contexts.parent_course_enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('memberships.user_id') }} as user_id,
        cast({{ cd1_global_id('memberships.id') }} as varchar(256)) as group_membership_id
    from memberships
    left join contexts
        on contexts.group_id = memberships.group_id
)

select * from final
