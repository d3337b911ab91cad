with

modules as (
    select * from {{ ref('stg_canvas__context_modules') }}
),

final as (
    select
        {{ cd1_global_id('modules.id') }} as id,
        modules.id as canvas_id,
        {{ cd1_context_id('modules.context_type', 'modules.context_id', 'Course') }} as course_id,
        cast(
            case
                when modules.require_sequential_progress then 'required'
                when not modules.require_sequential_progress then 'not_required'
                else 'unspecified'
            end as varchar(256)
        ) as require_sequential_progress,
        cast({{ cd1_enum('modules.workflow_state') }} as varchar(256)) as workflow_state,
        cast(modules.position as integer) as position,
        cast(modules.name as text) as name,
        {{ cd1_timestamp('modules.created_at') }} as created_at,
        {{ cd1_timestamp('modules.deleted_at') }} as deleted_at,
        {{ cd1_timestamp('modules.unlock_at') }} as unlock_at,
        {{ cd1_timestamp('modules.updated_at') }} as updated_at
    from modules
)

select * from final
