with

quiz_groups as (
    select * from {{ ref('stg_canvas__quiz_groups') }}
),

final as (
    select
        {{ cd1_global_id('quiz_groups.id') }} as id,
        quiz_groups.id as canvas_id,
        {{ cd1_global_id('quiz_groups.quiz_id') }} as quiz_id,
        cast(quiz_groups.name as varchar(256)) as name,
        cast(quiz_groups.position as integer) as position,
        {{ cd1_timestamp('quiz_groups.created_at') }} as created_at,
        {{ cd1_timestamp('quiz_groups.updated_at') }} as updated_at
    from quiz_groups
)

select * from final
