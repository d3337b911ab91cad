with

tabs as (
    select * from {{ ref('cd1_course_ui_canvas_navigation') }}
),

final as (
    select
        {{ cd1_global_id('tabs.tab_id') }} as id,
        cast(tabs.tab_id as bigint) as canvas_id,
        cast(tabs.label as varchar(256)) as name,
        cast(tabs.default_state as varchar(256)) as {{ adapter.quote('default') }},
        cast(tabs.original_position as varchar(256)) as original_position
    from tabs
)

select * from final
