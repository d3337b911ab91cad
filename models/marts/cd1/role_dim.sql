with

roles as (
    select * from {{ ref('stg_canvas__roles') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

{# the institution's only root account, when it has exactly one (R4: then a constant) #}
sole_root as (
    select min(account_id) as root_account_id
    from ancestry
    where depth = 0
    having count(*) = 1
),

final as (
    select
        {{ cd1_global_id('roles.id') }} as id,
        roles.id as canvas_id,
        -- a role with no account (a site-wide built-in role) belongs to the institution's only root
        {{ cd1_global_id('coalesce(ancestry.root_account_id, sole_root.root_account_id)') }} as root_account_id,
        {{ cd1_global_id('roles.account_id') }} as account_id,
        cast(roles.name as varchar(256)) as name,
        cast({{ cd1_enum('roles.base_role_type') }} as varchar(256)) as base_role_type,
        cast({{ cd1_enum('roles.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('roles.created_at') }} as created_at,
        {{ cd1_timestamp('roles.updated_at') }} as updated_at,
        {{ cd1_timestamp('roles.deleted_at') }} as deleted_at
    from roles
    left join ancestry
        on ancestry.account_id = roles.account_id
    left join sole_root
        on 1 = 1
)

select * from final
