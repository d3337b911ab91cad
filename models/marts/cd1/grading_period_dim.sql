with

grading_periods as (
    select * from {{ ref('stg_canvas__grading_periods') }}
),

final as (
    select
        {{ cd1_global_id('grading_periods.id') }} as id,
        grading_periods.id as canvas_id,
        {{ cd1_global_id('grading_periods.grading_period_group_id') }} as grading_period_group_id,
        {{ cd1_timestamp('grading_periods.close_date') }} as close_date,
        {{ cd1_timestamp('grading_periods.created_at') }} as created_at,
        {{ cd1_timestamp('grading_periods.end_date') }} as end_date,
        {{ cd1_timestamp('grading_periods.start_date') }} as start_date,
        cast(grading_periods.title as varchar(256)) as title,
        {{ cd1_timestamp('grading_periods.updated_at') }} as updated_at,
        cast({{ cd1_enum('grading_periods.workflow_state') }} as varchar(256)) as workflow_state
    from grading_periods
)

select * from final
