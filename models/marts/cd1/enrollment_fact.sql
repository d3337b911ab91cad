with

enrollments as (
    select * from {{ ref('stg_canvas__enrollments') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

final as (
    select
        {{ cd1_global_id('enrollments.id') }} as enrollment_id,
        {{ cd1_global_id('enrollments.user_id') }} as user_id,
        {{ cd1_global_id('enrollments.course_id') }} as course_id,
        {{ cd1_global_id('courses.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('courses.account_id') }} as course_account_id,
        {{ cd1_global_id('enrollments.course_section_id') }} as course_section_id,
        cast(null as double precision) as computed_final_score,
        cast(null as double precision) as computed_current_score
    from enrollments
    left join courses
        on courses.id = enrollments.course_id
)

select * from final
