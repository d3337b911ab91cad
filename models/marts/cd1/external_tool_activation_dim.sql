with

tools as (
    select * from {{ ref('stg_canvas__context_external_tools') }}
),

states as (
    select
        tools.*,
        {{ cd1_enum('tools.workflow_state') }} as state
    from tools
),

final as (
    select
        {{ cd1_global_id('states.id') }} as id,
        states.id as canvas_id,
        {{ cd1_context_id('states.context_type', 'states.context_id', 'Course') }} as course_id,
        {{ cd1_context_id('states.context_type', 'states.context_id', 'Account') }} as account_id,
        cast(lower({{ cd1_enum('states.context_type') }}) as varchar(256)) as activation_target_type,
        cast(states.url as varchar(4096)) as url,
        cast(states.name as varchar(256)) as name,
        cast(states.description as varchar(256)) as description,
        {#- Canvas keeps a tool's privacy level in workflow_state until the tool is deleted -#}
        cast(
            case
                when states.state in ('anonymous', 'name_only', 'email_only', 'public') then 'active'
                else states.state
            end as varchar(256)
        ) as workflow_state,
        cast(
            case
                when states.state in ('anonymous', 'name_only', 'email_only', 'public') then states.state
            end as varchar(256)
        ) as privacy_level,
        {{ cd1_timestamp('states.created_at') }} as created_at,
        {{ cd1_timestamp('states.updated_at') }} as updated_at,
        cast(states.tool_id as varchar(256)) as tool_id,
        -- coalesce: a NULL not_selectable means selectable (Canvas' default)
        not coalesce(states.not_selectable, false) as selectable_all
    from states
)

select * from final
