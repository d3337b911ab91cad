{#- One row per prerequisite of a current module: the elements of context_modules.prerequisites
    (R13), serialized JSON text, an array of objects {"id": <module id>, "type": "context_module",
    "name": ...}. NULL, empty or malformed text gives no rows; elements without a whole-number id are
    skipped.
    Surrogate id: cd1_surrogate_id('module_prerequisite', module id, prerequisite module id,
    occurrence), occurrence numbering repeats of the same prerequisite within one module in list
    order (normally 1), so the id follows the prerequisite, not its place in the list. Local ids. -#}
with

modules as (
    select * from {{ ref('stg_canvas__context_modules') }}
),

parsed as (
    select
        modules.id as module_id,
        {{ cd1_json_parse('modules.prerequisites') }} as prerequisites
    from modules
),

elements as (
    select
        parsed.module_id,
        prerequisite.ordinal as prerequisite_position,
        {{ cd1_safe_bigint(cd1_json_get_text('prerequisite.element', 'id')) }} as prerequisite_module_id
    from parsed
    {{ cd1_json_array_rows('parsed.prerequisites', 'prerequisite') }}
),

numbered as (
    select
        elements.*,
        row_number() over (
            partition by module_id, prerequisite_module_id
            order by prerequisite_position
        ) as occurrence
    from elements
    where prerequisite_module_id is not null
),

final as (
    select
        {{ cd1_surrogate_id(["'module_prerequisite'", 'module_id', 'prerequisite_module_id', 'occurrence']) }}
            as module_prerequisite_id,
        module_id,
        prerequisite_module_id,
        cast(prerequisite_position as {{ dbt.type_int() }}) as prerequisite_position,
        cast(occurrence as {{ dbt.type_int() }}) as occurrence
    from numbered
)

select * from final
