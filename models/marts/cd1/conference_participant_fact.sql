with

participants as (
    select * from {{ ref('stg_canvas__web_conference_participants') }}
),

conferences as (
    select * from {{ ref('stg_canvas__web_conferences') }}
),

final as (
    select
        {{ cd1_global_id('participants.id') }} as conference_participant_id,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Group') }} as group_id,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Course') }} as course_id,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Account') }} as account_id,
        {{ cd1_global_id('participants.user_id') }} as user_id,
        {{ cd1_global_id('participants.web_conference_id') }} as conference_id
    from participants
    left join conferences
        on conferences.id = participants.web_conference_id
)

select * from final
