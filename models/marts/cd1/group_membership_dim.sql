with

memberships as (
    select * from {{ ref('stg_canvas__group_memberships') }}
),

final as (
    select
        cast({{ cd1_global_id('memberships.id') }} as varchar(256)) as id,
        cast(memberships.id as varchar(256)) as canvas_id,
        {{ cd1_global_id('memberships.group_id') }} as group_id,
        cast(
            -- coalesce: Canvas treats a NULL moderator flag as false
            case when coalesce(memberships.moderator, false) then 'is_moderator' else 'not_moderator' end
            as varchar(256)
        ) as moderator,
        cast({{ cd1_enum('memberships.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('memberships.created_at') }} as created_at,
        {{ cd1_timestamp('memberships.updated_at') }} as updated_at
    from memberships
)

select * from final
