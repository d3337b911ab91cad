with

communication_channels as (
    select * from {{ ref('stg_canvas__communication_channels') }}
),

final as (
    select
        {{ cd1_global_id('communication_channels.id') }} as communication_channel_id,
        {{ cd1_global_id('communication_channels.user_id') }} as user_id,
        cast(communication_channels.bounce_count as integer) as bounce_count
    from communication_channels
)

select * from final
