{#- One row per entry of a course's navigation tab list (courses.tab_configuration, a serialized
    JSON array of {id, hidden[, position]}; R13). Built-in tabs have numeric ids (Canvas
    Course::TAB_*), tabs of external tools are 'context_external_tool_<tool id>'. Courses whose
    tab_configuration is NULL (Canvas' default navigation), or not valid JSON (cd1_json_parse), have
    no rows. Local ids. -#}
with

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

tabs as (
    select
        courses.id as course_id,
        courses.account_id,
        courses.enrollment_term_id,
        tab.ordinal as element_position,
        {{ cd1_json_get_text('tab.element', 'id') }} as tab_id,
        {{ cd1_json_get_text('tab.element', 'hidden') }} as hidden_flag,
        {{ cd1_json_get_number('tab.element', 'position') }} as stored_position
    from courses
    {{ cd1_json_array_rows(cd1_json_parse('courses.tab_configuration'), 'tab') }}
),

final as (
    select
        {{ cd1_surrogate_id(['course_id', 'element_position']) }} as course_tab_id,
        course_id,
        account_id,
        enrollment_term_id,
        cast(element_position as {{ dbt.type_int() }}) as element_position,
        tab_id,
        -- coalesce: an entry without "hidden" is shown
        coalesce(lower(hidden_flag) = 'true', false) as is_hidden,
        case
            when not coalesce(lower(hidden_flag) = 'true', false)
                -- coalesce: an explicit position key wins, else the 1-based place in the list
                then coalesce(cast(stored_position as {{ dbt.type_int() }}), cast(element_position as {{ dbt.type_int() }}))
        end as position,
        {{ cd1_safe_bigint('tab_id') }} as canvas_tab_id,
        case
            when tab_id like 'context_external_tool_%'
                then {{ cd1_safe_bigint(dbt.split_part('tab_id', "'context_external_tool_'", 2)) }}
        end as external_tool_id
    from tabs
)

select * from final
