{#- Canvas Catalog (CD1 4.2.2): one row per current catalog enrollment. -#}
with

enrollments as (
    select * from {{ ref('stg_catalog__enrollments') }}
),

final as (
    select
        cast(enrollments.id as bigint) as id,
        cast(enrollments.product_id as bigint) as catalog_product_id,
        {{ cd1_global_id('enrollments.canvas_user_id') }} as user_id,
        cast(enrollments.root_program_id as bigint) as root_program_id,
        cast(enrollments.status as varchar(256)) as status,
        {{ cd1_timestamp('enrollments.requirements_completed_at') }} as requirements_completed_at,
        {{ cd1_timestamp('enrollments.ends_at') }} as ends_at,
        {{ cd1_timestamp('enrollments.created_at') }} as created_at,
        {{ cd1_timestamp('enrollments.updated_at') }} as updated_at
    from enrollments
)

select * from final
