with

grading_periods as (
    select * from {{ ref('stg_canvas__grading_periods') }}
),

grading_period_groups as (
    select * from {{ ref('stg_canvas__grading_period_groups') }}
),

final as (
    select
        {{ cd1_global_id('grading_periods.id') }} as grading_period_id,
        grading_periods.id as canvas_id,
        {{ cd1_global_id('grading_periods.grading_period_group_id') }} as grading_period_group_id,
        {{ cd1_global_id('grading_period_groups.account_id') }} as grading_period_group_account_id,
        {{ cd1_global_id('grading_period_groups.course_id') }} as grading_period_group_course_id,
        cast(grading_periods.weight as double precision) as weight
    from grading_periods
    left join grading_period_groups
        on grading_period_groups.id = grading_periods.grading_period_group_id
)

select * from final
