{#- One row per assignment: whether its group's drop rules (assignment_groups.rules, R13) exempt it
    from dropping (never_drop holds assignment ids). -#}
with

assignments as (
    select * from {{ ref('stg_canvas__assignments') }}
),

assignment_groups as (
    select * from {{ ref('stg_canvas__assignment_groups') }}
),

never_drop as (
    select distinct
        assignment_groups.id as assignment_group_id,
        cast({{ cd1_json_get_number('never_drop_entry.element') }} as {{ dbt.type_bigint() }}) as assignment_id
    from assignment_groups
    {{ cd1_json_array_rows('assignment_groups.rules', 'never_drop_entry', key='never_drop') }}
    where abs({{ cd1_json_get_number('never_drop_entry.element') }}) < 1e18
),

final as (
    select
        {{ cd1_global_id('assignments.id') }} as assignment_id,
        cast(
            case
                when never_drop.assignment_id is not null then 'never_drop'
                else 'can_be_dropped'
            end as varchar(256)
        ) as drop_rule
    from assignments
    left join never_drop
        on never_drop.assignment_id = assignments.id
        and never_drop.assignment_group_id = assignments.assignment_group_id
)

select * from final
