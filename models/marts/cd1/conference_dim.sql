with

conferences as (
    select * from {{ ref('stg_canvas__web_conferences') }}
),

final as (
    select
        {{ cd1_global_id('conferences.id') }} as id,
        conferences.id as canvas_id,
        cast(conferences.title as varchar(256)) as title,
        cast({{ cd1_enum('conferences.conference_type') }} as varchar(256)) as conference_type,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Group') }} as group_id,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Course') }} as course_id,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Account') }} as account_id,
        {{ cd1_timestamp('conferences.start_at') }} as start_at,
        {{ cd1_timestamp('conferences.started_at') }} as started_at,
        {{ cd1_timestamp('conferences.end_at') }} as end_at,
        {{ cd1_timestamp('conferences.ended_at') }} as ended_at,
        {{ cd1_timestamp('conferences.created_at') }} as created_at,
        {{ cd1_timestamp('conferences.updated_at') }} as updated_at
    from conferences
)

select * from final
