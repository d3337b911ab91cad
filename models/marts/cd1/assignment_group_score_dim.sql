with

scores as (
    select * from {{ ref('stg_canvas__scores') }}
),

final as (
    select
        {{ cd1_global_id('scores.id') }} as id,
        scores.id as canvas_id,
        {{ cd1_global_id('scores.assignment_group_id') }} as assignment_group_id,
        {{ cd1_global_id('scores.enrollment_id') }} as enrollment_id,
        {{ cd1_timestamp('scores.created_at') }} as created_at,
        {{ cd1_timestamp('scores.updated_at') }} as updated_at,
        cast({{ cd1_enum('scores.workflow_state') }} as varchar(256)) as workflow_state
    from scores
    where scores.assignment_group_id is not null
)

select * from final
