with

groups as (
    select * from {{ ref('stg_canvas__groups') }}
),

contexts as (
    select * from {{ ref('int_groups_joined_to_contexts') }}
),

final as (
    select
        {{ cd1_global_id('groups.id') }} as id,
        groups.id as canvas_id,
        cast(groups.name as varchar(256)) as name,
        cast(groups.description as text) as description,
        {{ cd1_timestamp('groups.created_at') }} as created_at,
        {{ cd1_timestamp('groups.updated_at') }} as updated_at,
        {{ cd1_timestamp('groups.deleted_at') }} as deleted_at,
        groups.is_public,
        {#- CD1 documents active/deleted; CD2 also says 'available', Canvas' older word for active -#}
        cast(
            case {{ cd1_enum('groups.workflow_state') }}
                when 'available' then 'active'
                else {{ cd1_enum('groups.workflow_state') }}
            end as varchar(256)
        ) as workflow_state,
        cast({{ cd1_enum('groups.context_type') }} as varchar(256)) as context_type,
        cast(contexts.group_category_name as text) as category,
        cast(groups.join_level as varchar(256)) as join_level,
        cast({{ cd1_enum('groups.default_view') }} as varchar(256)) as default_view,
        {{ cd1_safe_bigint('groups.sis_source_id') }} as sis_source_id,
        {{ cd1_global_id('groups.group_category_id') }} as group_category_id,
        {{ cd1_global_id('groups.account_id') }} as account_id,
        {{ cd1_global_id('groups.wiki_id') }} as wiki_id
    from groups
    left join contexts
        on contexts.group_id = groups.id
)

select * from final
