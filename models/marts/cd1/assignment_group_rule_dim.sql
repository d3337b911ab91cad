{#- One row per assignment group: its drop rules parsed from assignment_groups.rules (R13). -#}
with

assignment_groups as (
    select * from {{ ref('stg_canvas__assignment_groups') }}
),

final as (
    select
        {{ cd1_global_id('assignment_groups.id') }} as assignment_group_id,
        {#- coalesce: a group without the rule drops nothing (CD1 default 0) -#}
        cast(coalesce({{ cd1_json_get_number('assignment_groups.rules', 'drop_lowest') }}, 0) as integer) as drop_lowest,
        {#- coalesce: a group without the rule drops nothing (CD1 default 0) -#}
        cast(coalesce({{ cd1_json_get_number('assignment_groups.rules', 'drop_highest') }}, 0) as integer) as drop_highest
    from assignment_groups
)

select * from final
