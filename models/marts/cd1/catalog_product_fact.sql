{#- Canvas Catalog (CD1 4.2.2): one row per current catalog product, with its catalog's parent
    and its Canvas course's term (R5). -#}
with

products as (
    select * from {{ ref('stg_catalog__products') }}
),

catalogs as (
    select * from {{ ref('stg_catalog__accounts') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

final as (
    select
        cast(products.id as bigint) as catalog_product_id,
        cast(products.account_id as bigint) as catalog_id,
        cast(catalogs.parent_id as bigint) as parent_catalog_id,
        {{ cd1_global_id('products.canvas_course_id') }} as course_id,
        {{ cd1_global_id('courses.enrollment_term_id') }} as enrollment_term_id,
        cast(products.enrollment_fee as double precision) as enrollment_fee,
        cast(products.credits as double precision) as credits,
        cast(products.waitlist_cap as integer) as waitlist_capacity,
        cast(products.enrollment_cap as integer) as enrollment_capacity
    from products
    left join catalogs
        on catalogs.id = products.account_id
    left join courses
        on courses.id = products.canvas_course_id
)

select * from final
