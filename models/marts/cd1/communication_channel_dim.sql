with

communication_channels as (
    select * from {{ ref('stg_canvas__communication_channels') }}
),

final as (
    select
        {{ cd1_global_id('communication_channels.id') }} as id,
        communication_channels.id as canvas_id,
        {{ cd1_global_id('communication_channels.user_id') }} as user_id,
        {#- CD1: "Set to 'NULL' for push notifications" (a push channel's path is a device token) #}
        cast(
            case
                when communication_channels.path_type = 'push' then null
                else communication_channels.path
            end as varchar(256)
        ) as address,
        -- CD1: the type "defaults to 'email'"
        cast(coalesce(communication_channels.path_type, 'email') as varchar(256)) as type,
        cast(communication_channels.position as integer) as position,
        cast({{ cd1_enum('communication_channels.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('communication_channels.created_at') }} as created_at,
        {{ cd1_timestamp('communication_channels.updated_at') }} as updated_at
    from communication_channels
)

select * from final
