with

pages as (
    select * from {{ ref('stg_canvas__wiki_pages') }}
),

final as (
    select
        {{ cd1_global_id('pages.id') }} as id,
        pages.id as canvas_id,
        cast(pages.title as varchar(256)) as title,
        cast(pages.body as text) as body,
        cast({{ cd1_enum('pages.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('pages.created_at') }} as created_at,
        {{ cd1_timestamp('pages.updated_at') }} as updated_at,
        cast(pages.url as text) as url,
        pages.protected_editing,
        cast(pages.editing_roles as varchar(256)) as editing_roles,
        {{ cd1_timestamp('pages.revised_at') }} as revised_at,
        pages.could_be_locked
    from pages
)

select * from final
