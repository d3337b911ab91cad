with

assignment_overrides as (
    select * from {{ ref('stg_canvas__assignment_overrides') }}
),

final as (
    select
        {{ cd1_global_id('assignment_overrides.id') }} as id,
        assignment_overrides.id as canvas_id,
        {{ cd1_global_id('assignment_overrides.assignment_id') }} as assignment_id,
        {{ cd1_context_id('assignment_overrides.set_type', 'assignment_overrides.set_id', 'CourseSection') }} as course_section_id,
        {{ cd1_context_id('assignment_overrides.set_type', 'assignment_overrides.set_id', 'Group') }} as group_id,
        {{ cd1_global_id('assignment_overrides.quiz_id') }} as quiz_id,
        {#- Canvas overrides all_day together with due_at; CD2 has no flag of its own for it -#}
        cast(
            case
                when assignment_overrides.due_at_overridden then 'new_all_day'
                else 'same_all_day'
            end as varchar(256)
        ) as all_day,
        assignment_overrides.all_day_date,
        cast(assignment_overrides.assignment_version as integer) as assignment_version,
        {{ cd1_timestamp('assignment_overrides.created_at') }} as created_at,
        {{ cd1_timestamp('assignment_overrides.due_at') }} as due_at,
        cast(
            case
                when assignment_overrides.due_at_overridden then 'new_due_at'
                else 'same_due_at'
            end as varchar(256)
        ) as due_at_overridden,
        {{ cd1_timestamp('assignment_overrides.lock_at') }} as lock_at,
        cast(
            case
                when assignment_overrides.lock_at_overridden then 'new_lock_at'
                else 'same_lock_at'
            end as varchar(256)
        ) as lock_at_overridden,
        cast(
            case {{ cd1_enum('assignment_overrides.set_type') }}
                when 'CourseSection' then 'course_section'
                when 'Group' then 'group'
                when 'ADHOC' then 'adhoc'
                when 'Noop' then 'noop'
            end as varchar(256)
        ) as set_type,
        assignment_overrides.title,
        {{ cd1_timestamp('assignment_overrides.unlock_at') }} as unlock_at,
        cast(
            case
                when assignment_overrides.unlock_at_overridden then 'new_unlock_at'
                else 'same_unlock_at'
            end as varchar(256)
        ) as unlock_at_overridden,
        {{ cd1_timestamp('assignment_overrides.updated_at') }} as updated_at,
        cast(assignment_overrides.quiz_version as integer) as quiz_version,
        cast({{ cd1_enum('assignment_overrides.workflow_state') }} as varchar(256)) as workflow_state
    from assignment_overrides
)

select * from final
