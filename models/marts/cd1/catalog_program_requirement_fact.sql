{#- Canvas Catalog (CD1 4.2.2): one row per current program requirement, with the program's
    catalog and the required product's Canvas course. -#}
with

requirements as (
    select * from {{ ref('stg_catalog__program_requirements') }}
),

products as (
    select * from {{ ref('stg_catalog__products') }}
),

final as (
    select
        cast(requirements.id as bigint) as id,
        cast(programs.account_id as bigint) as catalog_id,
        cast(requirements.program_id as bigint) as catalog_program_id,
        cast(requirements.product_id as bigint) as catalog_product_id,
        {{ cd1_global_id('required.canvas_course_id') }} as course_id
    from requirements
    left join products as programs
        on programs.id = requirements.program_id
    left join products as required
        on required.id = requirements.product_id
)

select * from final
