{#- Canvas Catalog (CD1 4.2.2): one row per current catalog product (a course or a program). -#}
with

products as (
    select * from {{ ref('stg_catalog__products') }}
),

final as (
    select
        cast(products.id as bigint) as id,
        cast(products.account_id as bigint) as catalog_id,
        {{ cd1_timestamp('products.start_date') }} as start_date,
        {{ cd1_timestamp('products.end_date') }} as end_date,
        {{ cd1_global_id('products.canvas_course_id') }} as course_id,
        cast(products.type as varchar(256)) as product_type,
        cast(products.title as varchar(256)) as title,
        cast(products.visibility as varchar(256)) as visibility,
        products.enrollment_open,
        products.waitlist as has_waitlist,
        {{ cd1_timestamp('products.created_at') }} as created_at,
        {{ cd1_timestamp('products.updated_at') }} as updated_at
    from products
)

select * from final
