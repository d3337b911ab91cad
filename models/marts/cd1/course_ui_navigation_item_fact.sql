with

course_tabs as (
    select * from {{ ref('int_course_tabs_unnested') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

final as (
    select
        {{ cd1_global_id('ancestry.root_account_id') }} as root_account_id,
        course_tabs.course_tab_id as course_ui_navigation_item_id,
        {{ cd1_global_id('course_tabs.canvas_tab_id') }} as course_ui_canvas_navigation_id,
        {{ cd1_global_id('course_tabs.external_tool_id') }} as external_tool_activation_id,
        {{ cd1_global_id('course_tabs.course_id') }} as course_id,
        {{ cd1_global_id('course_tabs.account_id') }} as course_account_id,
        {{ cd1_global_id('course_tabs.enrollment_term_id') }} as enrollment_term_id
    from course_tabs
    left join ancestry
        on ancestry.account_id = course_tabs.account_id
)

select * from final
