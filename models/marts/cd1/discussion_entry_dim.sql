with

entries as (
    select * from {{ ref('stg_canvas__discussion_entries') }}
),

final as (
    select
        {{ cd1_global_id('entries.id') }} as id,
        entries.id as canvas_id,
        cast(entries.message as text) as message,
        cast({{ cd1_enum('entries.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('entries.created_at') }} as created_at,
        {{ cd1_timestamp('entries.updated_at') }} as updated_at,
        {{ cd1_timestamp('entries.deleted_at') }} as deleted_at,
        cast(entries.depth as integer) as depth
    from entries
)

select * from final
