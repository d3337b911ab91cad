with

grading_period_groups as (
    select * from {{ ref('stg_canvas__grading_period_groups') }}
),

final as (
    select
        {{ cd1_global_id('grading_period_groups.id') }} as id,
        grading_period_groups.id as canvas_id,
        {{ cd1_global_id('grading_period_groups.course_id') }} as course_id,
        {{ cd1_global_id('grading_period_groups.account_id') }} as account_id,
        {{ cd1_timestamp('grading_period_groups.created_at') }} as created_at,
        cast(grading_period_groups.title as varchar(256)) as title,
        {{ cd1_timestamp('grading_period_groups.updated_at') }} as updated_at,
        cast({{ cd1_enum('grading_period_groups.workflow_state') }} as varchar(256)) as workflow_state
    from grading_period_groups
)

select * from final
