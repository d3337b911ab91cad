with

scores as (
    select * from {{ ref('stg_canvas__scores') }}
),

final as (
    select
        {{ cd1_global_id('scores.id') }} as id,
        scores.id as canvas_id,
        {{ cd1_global_id('scores.enrollment_id') }} as enrollment_id,
        {{ cd1_global_id('scores.grading_period_id') }} as grading_period_id,
        {{ cd1_timestamp('scores.created_at') }} as created_at,
        {{ cd1_timestamp('scores.updated_at') }} as updated_at,
        cast({{ cd1_enum('scores.workflow_state') }} as varchar(256)) as workflow_state
    from scores
    where scores.grading_period_id is not null
)

select * from final
