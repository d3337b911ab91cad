with

wikis as (
    select * from {{ ref('stg_canvas__wikis') }}
),

owners as (
    select * from {{ ref('int_wikis_joined_to_owners') }}
),

final as (
    select
        {{ cd1_global_id('wikis.id') }} as id,
        wikis.id as canvas_id,
        cast(owners.parent_type as varchar(256)) as parent_type,
        cast(wikis.title as text) as title,
        {{ cd1_timestamp('wikis.created_at') }} as created_at,
        {{ cd1_timestamp('wikis.updated_at') }} as updated_at,
        cast(wikis.front_page_url as text) as front_page_url,
        wikis.has_no_front_page
    from wikis
    left join owners
        on owners.wiki_id = wikis.id
)

select * from final
