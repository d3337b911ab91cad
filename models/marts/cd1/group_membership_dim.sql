{#- Incremental (macros/cd1/cd1_incremental.sql): one row per group membership, from that row alone. The
    key is CD1's text id, so the spec maps it to the driving key and back. -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__group_memberships',
    'unique_key_sql': 'cast(' ~ cd1_global_id('{}') ~ ' as varchar(256))',
    'driving_key_sql': cd1_local_id('cast({} as ' ~ dbt.type_bigint() ~ ')'),
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
memberships as (
    {{ cd1_marked(ref('stg_canvas__group_memberships'), ref('base_canvas__group_memberships')) | indent(4) }}
),

final as (
    select
        cast({{ cd1_global_id('memberships.id') }} as varchar(256)) as id,
        cast(memberships.id as varchar(256)) as canvas_id,
        {{ cd1_global_id('memberships.group_id') }} as group_id,
        cast(
            -- coalesce: Canvas treats a NULL moderator flag as false
            case when coalesce(memberships.moderator, false) then 'is_moderator' else 'not_moderator' end
            as varchar(256)
        ) as moderator,
        cast({{ cd1_enum('memberships.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('memberships.created_at') }} as created_at,
        {{ cd1_timestamp('memberships.updated_at') }} as updated_at,
        {{ cd1_marker(['memberships']) }} as _dap_loaded_at
    from memberships
    {{ cd1_incremental_filter(plan, 'memberships.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
