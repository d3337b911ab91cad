with

course_tabs as (
    select * from {{ ref('int_course_tabs_unnested') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

final as (
    select
        course_tabs.course_tab_id as id,
        {{ cd1_global_id('ancestry.root_account_id') }} as root_account_id,
        cast(case when course_tabs.is_hidden then 'hidden' else 'visible' end as varchar(256)) as visible,
        cast(course_tabs.position as integer) as position
    from course_tabs
    left join ancestry
        on ancestry.account_id = course_tabs.account_id
)

select * from final
