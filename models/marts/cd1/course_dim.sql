with

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

final as (
    select
        {{ cd1_global_id('courses.id') }} as id,
        courses.id as canvas_id,
        {{ cd1_global_id('ancestry.root_account_id') }} as root_account_id,
        {{ cd1_global_id('courses.account_id') }} as account_id,
        {{ cd1_global_id('courses.enrollment_term_id') }} as enrollment_term_id,
        cast(courses.name as varchar(256)) as name,
        cast(courses.course_code as varchar(256)) as code,
        cast(null as varchar(256)) as type,
        {{ cd1_timestamp('courses.created_at') }} as created_at,
        {{ cd1_timestamp('courses.start_at') }} as start_at,
        {{ cd1_timestamp('courses.conclude_at') }} as conclude_at,
        courses.is_public as publicly_visible,
        cast(courses.sis_source_id as varchar(256)) as sis_source_id,
        cast({{ cd1_enum('courses.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_global_id('courses.wiki_id') }} as wiki_id,
        courses.syllabus_body
    from courses
    left join ancestry
        on ancestry.account_id = courses.account_id
)

select * from final
