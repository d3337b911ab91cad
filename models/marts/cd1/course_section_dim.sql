with

course_sections as (
    select * from {{ ref('stg_canvas__course_sections') }}
),

final as (
    select
        {{ cd1_global_id('course_sections.id') }} as id,
        course_sections.id as canvas_id,
        cast(course_sections.name as varchar(256)) as name,
        {{ cd1_global_id('course_sections.course_id') }} as course_id,
        {{ cd1_global_id('course_sections.enrollment_term_id') }} as enrollment_term_id,
        course_sections.default_section,
        course_sections.accepting_enrollments,
        cast(null as boolean) as can_manually_enroll,
        {{ cd1_timestamp('course_sections.start_at') }} as start_at,
        {{ cd1_timestamp('course_sections.end_at') }} as end_at,
        {{ cd1_timestamp('course_sections.created_at') }} as created_at,
        {{ cd1_timestamp('course_sections.updated_at') }} as updated_at,
        cast({{ cd1_enum('course_sections.workflow_state') }} as varchar(256)) as workflow_state,
        course_sections.restrict_enrollments_to_section_dates,
        {{ cd1_global_id('course_sections.nonxlist_course_id') }} as nonxlist_course_id,
        cast(course_sections.sis_source_id as varchar(256)) as sis_source_id
    from course_sections
)

select * from final
