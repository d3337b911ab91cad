with

owners as (
    select * from {{ ref('int_wikis_joined_to_owners') }}
),

final as (
    select
        {{ cd1_global_id('owners.wiki_id') }} as wiki_id,
        {{ cd1_global_id('owners.parent_course_id') }} as parent_course_id,
        {{ cd1_global_id('owners.parent_group_id') }} as parent_group_id,
        {{ cd1_global_id('owners.parent_course_account_id') }} as parent_course_account_id,
        {{ cd1_global_id('owners.parent_group_account_id') }} as parent_group_account_id,
        {{ cd1_global_id('owners.account_id') }} as account_id,
        {{ cd1_global_id('owners.root_account_id') }} as root_account_id,
        {{ cd1_global_id('owners.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('owners.group_category_id') }} as group_category_id
    from owners
)

select * from final
