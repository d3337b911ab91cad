with

participants as (
    select * from {{ ref('stg_canvas__web_conference_participants') }}
),

final as (
    select
        {{ cd1_global_id('participants.id') }} as id,
        {{ cd1_global_id('participants.user_id') }} as user_id,
        {{ cd1_global_id('participants.web_conference_id') }} as conference_id,
        cast({{ cd1_enum('participants.participation_type') }} as varchar(256)) as participation_type,
        {{ cd1_timestamp('participants.created_at') }} as created_at,
        {{ cd1_timestamp('participants.updated_at') }} as updated_at
    from participants
)

select * from final
