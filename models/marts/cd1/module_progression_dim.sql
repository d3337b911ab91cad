with

progressions as (
    select * from {{ ref('stg_canvas__context_module_progressions') }}
),

final as (
    select
        {{ cd1_global_id('progressions.id') }} as id,
        progressions.id as canvas_id,
        {{ cd1_global_id('progressions.context_module_id') }} as module_id,
        {{ cd1_global_id('progressions.user_id') }} as user_id,
        cast(
            case
                when progressions.collapsed then 'collapsed'
                when not progressions.collapsed then 'not_collapsed'
                else 'unspecified'
            end as varchar(256)
        ) as collapsed,
        cast(
            case
                when progressions.{{ adapter.quote('current') }} then 'current'
                when not progressions.{{ adapter.quote('current') }} then 'not_current'
                else 'unspecified'
            end as varchar(256)
        ) as is_current,
        cast({{ cd1_enum('progressions.workflow_state') }} as varchar(256)) as workflow_state,
        cast(progressions.current_position as integer) as current_position,
        cast(progressions.lock_version as integer) as lock_version,
        {{ cd1_timestamp('progressions.created_at') }} as created_at,
        {{ cd1_timestamp('progressions.completed_at') }} as completed_at,
        {{ cd1_timestamp('progressions.evaluated_at') }} as evaluated_at,
        {{ cd1_timestamp('progressions.updated_at') }} as updated_at
    from progressions
)

select * from final
