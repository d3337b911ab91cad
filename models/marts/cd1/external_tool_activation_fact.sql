with

tools as (
    select * from {{ ref('stg_canvas__context_external_tools') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

owners as (
    select
        tools.id as external_tool_activation_id,
        {{ cd1_context_id('tools.context_type', 'tools.context_id', 'Course', global=false) }} as course_id,
        {{ cd1_context_id('tools.context_type', 'tools.context_id', 'Account', global=false) }} as account_id,
        courses.enrollment_term_id,
        courses.account_id as course_account_id
    from tools
    left join courses
        on tools.context_type = 'Course'
        and courses.id = tools.context_id
),

final as (
    select
        {{ cd1_global_id('owners.external_tool_activation_id') }} as external_tool_activation_id,
        {{ cd1_global_id('owners.course_id') }} as course_id,
        {{ cd1_global_id('owners.account_id') }} as account_id,
        {{ cd1_global_id('ancestry.root_account_id') }} as root_account_id,
        {{ cd1_global_id('owners.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('owners.course_account_id') }} as course_account_id
    from owners
    left join ancestry
        -- coalesce: an account activation's own account, else the course's account
        on ancestry.account_id = coalesce(owners.account_id, owners.course_account_id)
)

select * from final
