{#- One row per completion requirement of a current module: the elements of
    context_modules.completion_requirements (R13), serialized JSON text, an array of objects
    {"id": <module item (content tag) id>, "type": "must_view" | "must_submit" | "min_score" | ...,
    "min_score": <number, min_score only>}. NULL, empty or malformed text gives no rows; elements
    without a whole-number id (they name no module item) are skipped.
    Surrogate id: cd1_surrogate_id('module_completion_requirement', module id, module item id,
    occurrence), where occurrence numbers repeated entries for the same item within one module in
    list order (normally always 1). It follows the requirement's identity, not its place in the list,
    so reordering or removing other requirements keeps it. Local CD2 ids. -#}
with

modules as (
    select * from {{ ref('stg_canvas__context_modules') }}
),

parsed as (
    select
        modules.id as module_id,
        {{ cd1_json_parse('modules.completion_requirements') }} as requirements
    from modules
),

elements as (
    select
        parsed.module_id,
        requirement.ordinal as requirement_position,
        {{ cd1_safe_bigint(cd1_json_get_text('requirement.element', 'id')) }} as module_item_id,
        {{ cd1_json_get_text('requirement.element', 'type') }} as requirement_type,
        {{ cd1_json_get_number('requirement.element', 'min_score') }} as min_score
    from parsed
    {{ cd1_json_array_rows('parsed.requirements', 'requirement') }}
),

numbered as (
    select
        elements.*,
        row_number() over (
            partition by module_id, module_item_id
            order by requirement_position
        ) as occurrence
    from elements
    where module_item_id is not null
),

final as (
    select
        {{ cd1_surrogate_id(["'module_completion_requirement'", 'module_id', 'module_item_id', 'occurrence']) }}
            as module_completion_requirement_id,
        module_id,
        module_item_id,
        cast(requirement_position as {{ dbt.type_int() }}) as requirement_position,
        cast(occurrence as {{ dbt.type_int() }}) as occurrence,
        requirement_type,
        min_score
    from numbered
)

select * from final
