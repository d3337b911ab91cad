{#- One row per (account, ancestor-or-self): the account's root and every subaccountN above it,
    the account itself included, unpivoted from int_accounts_with_ancestry. Answers "is account A
    above (or equal to) account B" with an equi-join (e.g. account admins of a course's account
    chain for enrollment_rollup_dim). Local CD2 ids. -#}
with

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

pairs as (
    select
        account_id,
        root_account_id as ancestor_account_id,
        0 as ancestor_depth
    from ancestry
    where root_account_id is not null
    {%- for n in range(1, 16) %}

    union all

    select
        account_id,
        subaccount{{ n }}_id as ancestor_account_id,
        {{ n }} as ancestor_depth
    from ancestry
    where subaccount{{ n }}_id is not null
    {%- endfor %}
),

final as (
    select
        account_id,
        ancestor_account_id,
        ancestor_depth
    from pairs
)

select * from final
