with

accounts as (
    select * from {{ ref('stg_canvas__accounts') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

final as (
    select
        {{ cd1_global_id('accounts.id') }} as id,
        accounts.id as canvas_id,
        cast(accounts.name as varchar(256)) as name,
        cast(ancestry.depth as integer) as depth,
        cast({{ cd1_enum('accounts.workflow_state') }} as varchar(256)) as workflow_state,
        cast(ancestry.parent_account_name as varchar(256)) as parent_account,
        {{ cd1_global_id('ancestry.parent_account_id') }} as parent_account_id,
        cast(ancestry.grandparent_account_name as varchar(256)) as grandparent_account,
        {{ cd1_global_id('ancestry.grandparent_account_id') }} as grandparent_account_id,
        cast(ancestry.root_account_name as varchar(256)) as root_account,
        {{ cd1_global_id('ancestry.root_account_id') }} as root_account_id,
        {%- for n in range(1, 16) %}
        cast(ancestry.subaccount{{ n }}_name as varchar(256)) as subaccount{{ n }},
        {{ cd1_global_id('ancestry.subaccount' ~ n ~ '_id') }} as subaccount{{ n }}_id,
        {%- endfor %}
        cast(accounts.sis_source_id as varchar(256)) as sis_source_id
    from accounts
    left join ancestry
        on ancestry.account_id = accounts.id
)

select * from final
