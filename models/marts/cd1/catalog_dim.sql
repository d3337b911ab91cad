{#- Canvas Catalog (CD1 4.2.2): one row per current catalog account. Catalog ids are the Catalog
    service's own ids, kept as they are (they are no Canvas ids, so no shard offset). -#}
with

accounts as (
    select * from {{ ref('stg_catalog__accounts') }}
),

final as (
    select
        cast(accounts.id as bigint) as id,
        cast(accounts.parent_id as bigint) as parent_id,
        cast(accounts.name as varchar(256)) as name,
        cast(null as varchar(256)) as currency,
        cast(null as varchar(256)) as country,
        cast(null as varchar(256)) as time_zone,
        {{ cd1_timestamp('accounts.created_at') }} as created_at,
        {{ cd1_timestamp('accounts.updated_at') }} as updated_at
    from accounts
)

select * from final
