with

conferences as (
    select * from {{ ref('stg_canvas__web_conferences') }}
),

final as (
    select
        {{ cd1_global_id('conferences.id') }} as conference_id,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Group') }} as group_id,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Course') }} as course_id,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Account') }} as account_id,
        cast(conferences.duration as double precision) as duration
    from conferences
)

select * from final
