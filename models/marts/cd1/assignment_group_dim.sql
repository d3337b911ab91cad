with

assignment_groups as (
    select * from {{ ref('stg_canvas__assignment_groups') }}
),

final as (
    select
        {{ cd1_global_id('assignment_groups.id') }} as id,
        assignment_groups.id as canvas_id,
        {{ cd1_context_id('assignment_groups.context_type', 'assignment_groups.context_id', 'Course') }} as course_id,
        cast(assignment_groups.name as varchar(256)) as name,
        cast(assignment_groups.default_assignment_name as varchar(256)) as default_assignment_name,
        {#- CD1 documents available/deleted; CD2 also says 'active' for the same live state -#}
        cast(
            case {{ cd1_enum('assignment_groups.workflow_state') }}
                when 'active' then 'available'
                else {{ cd1_enum('assignment_groups.workflow_state') }}
            end as varchar(256)
        ) as workflow_state,
        cast(assignment_groups.position as integer) as position,
        {{ cd1_timestamp('assignment_groups.created_at') }} as created_at,
        {{ cd1_timestamp('assignment_groups.updated_at') }} as updated_at
    from assignment_groups
)

select * from final
