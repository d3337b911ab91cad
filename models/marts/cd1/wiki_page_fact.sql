with

pages as (
    select * from {{ ref('stg_canvas__wiki_pages') }}
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

asset_user_accesses as (
    select * from {{ ref('stg_canvas__asset_user_accesses') }}
),

{#- Canvas counts each user's views of a page in asset_user_accesses.view_score, under the
    asset_code wiki_page_<id>; the page's views are the sum over its users -#}
page_views as (
    select
        asset_code,
        sum(view_score) as view_score
    from asset_user_accesses
    where asset_code like 'wiki_page_%'
    group by asset_code
),

owners as (
    select
        pages.id as wiki_page_id,
        pages.wiki_id,
        pages.user_id,
        {{ cd1_context_id('pages.context_type', 'pages.context_id', 'Course', global=false) }} as parent_course_id,
        {{ cd1_context_id('pages.context_type', 'pages.context_id', 'Group', global=false) }} as parent_group_id,
        courses.account_id as parent_course_account_id,
        groups.account_id as parent_group_account_id,
        -- coalesce: the page belongs to a course or a group; that owner's account is the page's
        coalesce(courses.account_id, groups.account_id) as account_id,
        courses.enrollment_term_id,
        groups.group_category_id
    from pages
    left join courses
        on pages.context_type = 'Course'
        and courses.id = pages.context_id
    left join groups
        on pages.context_type = 'Group'
        and groups.group_id = pages.context_id
),

final as (
    select
        {{ cd1_global_id('owners.wiki_page_id') }} as wiki_page_id,
        {{ cd1_global_id('owners.wiki_id') }} as wiki_id,
        {{ cd1_global_id('owners.parent_course_id') }} as parent_course_id,
        {{ cd1_global_id('owners.parent_group_id') }} as parent_group_id,
        {{ cd1_global_id('owners.parent_course_account_id') }} as parent_course_account_id,
        {{ cd1_global_id('owners.parent_group_account_id') }} as parent_group_account_id,
        {{ cd1_global_id('owners.user_id') }} as user_id,
        {{ cd1_global_id('owners.account_id') }} as account_id,
        {{ cd1_global_id('ancestry.root_account_id') }} as root_account_id,
        {{ cd1_global_id('owners.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('owners.group_category_id') }} as group_category_id,
        cast(null as integer) as wiki_page_comments_count,
        cast(round(page_views.view_score) as integer) as view_count
    from owners
    left join ancestry
        on ancestry.account_id = owners.account_id
    left join page_views
        on page_views.asset_code = {{ dbt.concat(["'wiki_page_'", dbt.safe_cast('owners.wiki_page_id', dbt.type_string())]) }}
)

select * from final
