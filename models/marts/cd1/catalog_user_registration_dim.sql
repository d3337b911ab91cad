{#- Canvas Catalog (CD1 4.2.2): one row per current catalog user (a Canvas user's registration
    with a catalog). -#}
with

users as (
    select * from {{ ref('stg_catalog__users') }}
),

final as (
    select
        cast(users.id as bigint) as id,
        {#- the catalog the user registered with; a user with none recorded registered with the
            root catalog [inf] -#}
        cast(coalesce(users.registered_account_id, users.root_account_id) as bigint) as catalog_id,
        {{ cd1_global_id('users.canvas_user_id') }} as user_id,
        {{ cd1_timestamp('users.created_at') }} as created_at,
        {{ cd1_timestamp('users.updated_at') }} as updated_at
    from users
)

select * from final
