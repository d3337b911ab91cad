with

enrollments as (
    select * from {{ ref('stg_canvas__enrollments') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

final as (
    select
        {{ cd1_global_id('enrollments.id') }} as id,
        enrollments.id as canvas_id,
        {{ cd1_global_id('ancestry.root_account_id') }} as root_account_id,
        {{ cd1_global_id('enrollments.course_section_id') }} as course_section_id,
        {{ cd1_global_id('enrollments.role_id') }} as role_id,
        cast({{ cd1_enum('enrollments.type') }} as varchar(256)) as type,
        cast({{ cd1_enum('enrollments.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('enrollments.created_at') }} as created_at,
        {{ cd1_timestamp('enrollments.updated_at') }} as updated_at,
        {{ cd1_timestamp('enrollments.start_at') }} as start_at,
        {{ cd1_timestamp('enrollments.end_at') }} as end_at,
        {{ cd1_timestamp('enrollments.completed_at') }} as completed_at,
        enrollments.self_enrolled,
        cast(null as varchar(256)) as sis_source_id,
        {{ cd1_global_id('enrollments.course_id') }} as course_id,
        {{ cd1_global_id('enrollments.user_id') }} as user_id,
        {{ cd1_timestamp('enrollments.last_activity_at') }} as last_activity_at
    from enrollments
    left join courses
        on courses.id = enrollments.course_id
    left join ancestry
        on ancestry.account_id = courses.account_id
)

select * from final
