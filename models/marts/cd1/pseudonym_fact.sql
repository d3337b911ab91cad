with

pseudonyms as (
    select * from {{ ref('stg_canvas__pseudonyms') }}
),

final as (
    select
        {{ cd1_global_id('pseudonyms.id') }} as pseudonym_id,
        {{ cd1_global_id('pseudonyms.user_id') }} as user_id,
        {{ cd1_global_id('pseudonyms.account_id') }} as account_id,
        cast(pseudonyms.login_count as integer) as login_count,
        cast(pseudonyms.failed_login_count as integer) as failed_login_count
    from pseudonyms
)

select * from final
