{#- Every account with its chain of ancestors (R4 and account_dim's subaccountN columns).
    CD1 allows 15 levels below the root; a chain of self-joins (no recursive CTE) keeps this
    portable. ancestor_0 is the account itself, ancestor_k its k-th parent. -#}
{%- set levels = 16 -%}

with

accounts as (
    select * from {{ ref('stg_canvas__accounts') }}
),

chain as (
    select
        {%- for k in range(levels) %}
        a{{ k }}.id as ancestor_{{ k }}_id,
        a{{ k }}.name as ancestor_{{ k }}_name{{ "," if not loop.last }}
        {%- endfor %}
    from accounts as a0
    {%- for k in range(1, levels) %}
    left join accounts as a{{ k }}
        on a{{ k }}.id = a{{ k - 1 }}.parent_account_id
    {%- endfor %}
),

with_depth as (
    select
        chain.*,
        {#- depth = number of ancestors above the account (root = 0) -#}
        (
            {%- for k in range(1, levels) %}
            case when ancestor_{{ k }}_id is not null then 1 else 0 end{{ " +" if not loop.last }}
            {%- endfor %}
        ) as depth
    from chain
),

final as (
    select
        ancestor_0_id as account_id,
        ancestor_0_name as account_name,
        depth,
        ancestor_1_id as parent_account_id,
        ancestor_1_name as parent_account_name,
        ancestor_2_id as grandparent_account_id,
        ancestor_2_name as grandparent_account_name,
        case depth
            {%- for d in range(levels) %}
            when {{ d }} then ancestor_{{ d }}_id
            {%- endfor %}
        end as root_account_id,
        case depth
            {%- for d in range(levels) %}
            when {{ d }} then ancestor_{{ d }}_name
            {%- endfor %}
        end as root_account_name
        {%- for n in range(1, levels) %},
        {#- the ancestor at depth n: ancestor_(depth - n); NULL below the account's own depth #}
        case depth
            {%- for d in range(n, levels) %}
            when {{ d }} then ancestor_{{ d - n }}_id
            {%- endfor %}
        end as subaccount{{ n }}_id,
        case depth
            {%- for d in range(n, levels) %}
            when {{ d }} then ancestor_{{ d - n }}_name
            {%- endfor %}
        end as subaccount{{ n }}_name
        {%- endfor %}
    from with_depth
)

select * from final
