with

assignment_groups as (
    select * from {{ ref('stg_canvas__assignment_groups') }}
),

final as (
    select
        {{ cd1_global_id('assignment_groups.id') }} as assignment_group_id,
        {{ cd1_context_id('assignment_groups.context_type', 'assignment_groups.context_id', 'Course') }} as course_id,
        cast(assignment_groups.group_weight as double precision) as group_weight
    from assignment_groups
)

select * from final
