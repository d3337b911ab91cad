{#- One row per assignment group: its drop rules parsed from assignment_groups.rules (R13). -#}
with

assignment_groups as (
    select * from {{ ref('stg_canvas__assignment_groups') }}
),

final as (
    select
        {{ cd1_global_id('assignment_groups.id') }} as assignment_group_id,
        {#- coalesce: a group without the rule (or with a value out of range) drops nothing (CD1 default 0) -#}
        cast(coalesce(
            case
                when abs({{ cd1_json_get_number('assignment_groups.rules', 'drop_lowest') }}) < 2147483648
                    then {{ cd1_json_get_number('assignment_groups.rules', 'drop_lowest') }}
            end, 0) as integer) as drop_lowest,
        {#- coalesce: a group without the rule (or with a value out of range) drops nothing (CD1 default 0) -#}
        cast(coalesce(
            case
                when abs({{ cd1_json_get_number('assignment_groups.rules', 'drop_highest') }}) < 2147483648
                    then {{ cd1_json_get_number('assignment_groups.rules', 'drop_highest') }}
            end, 0) as integer) as drop_highest
    from assignment_groups
)

select * from final
