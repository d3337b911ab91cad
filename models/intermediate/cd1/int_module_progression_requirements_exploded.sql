{#- One row per requirement a user's module progression records (R13), CD1's
    module_progression_completion_requirement grain ("typically just holds requirements that have
    been attempted by the user") [inf]:
      - each element of context_module_progressions.requirements_met -> completion_status 'complete'
      - each element of incomplete_requirements (attempted min_score requirements not yet met, with
        the score reached) -> 'incomplete'
    Both are serialized JSON text, arrays of {"id": <module item id>, "type": ..., "min_score": ...,
    "score": ...}. NULL, empty or malformed text gives no rows; elements without a whole-number id
    are skipped. requirement_type and min_score fall back to the module's own requirement for that
    item when the element omits them.
    Surrogate id: cd1_surrogate_id('module_progression_completion_requirement', progression id,
    completion_status, module item id, occurrence), occurrence numbering repeats within one list
    (normally 1). Local CD2 ids. -#}
with

progressions as (
    select * from {{ ref('stg_canvas__context_module_progressions') }}
),

module_requirements as (
    select * from {{ ref('int_module_completion_requirements_exploded') }}
    where occurrence = 1
),

parsed as (
    select
        progressions.id as module_progression_id,
        progressions.context_module_id as module_id,
        progressions.user_id,
        {{ cd1_json_parse('progressions.requirements_met') }} as requirements_met,
        {{ cd1_json_parse('progressions.incomplete_requirements') }} as incomplete_requirements
    from progressions
),

met as (
    select
        parsed.module_progression_id,
        parsed.module_id,
        parsed.user_id,
        'complete' as completion_status,
        requirement.ordinal as requirement_position,
        {{ cd1_safe_bigint(cd1_json_get_text('requirement.element', 'id')) }} as module_item_id,
        {{ cd1_json_get_text('requirement.element', 'type') }} as requirement_type,
        {{ cd1_json_get_number('requirement.element', 'min_score') }} as min_score,
        {{ cd1_json_get_number('requirement.element', 'score') }} as score
    from parsed
    {{ cd1_json_array_rows('parsed.requirements_met', 'requirement') }}
),

incomplete as (
    select
        parsed.module_progression_id,
        parsed.module_id,
        parsed.user_id,
        'incomplete' as completion_status,
        requirement.ordinal as requirement_position,
        {{ cd1_safe_bigint(cd1_json_get_text('requirement.element', 'id')) }} as module_item_id,
        {{ cd1_json_get_text('requirement.element', 'type') }} as requirement_type,
        {{ cd1_json_get_number('requirement.element', 'min_score') }} as min_score,
        {{ cd1_json_get_number('requirement.element', 'score') }} as score
    from parsed
    {{ cd1_json_array_rows('parsed.incomplete_requirements', 'requirement') }}
),

unioned as (
    select * from met
    union all
    select * from incomplete
),

numbered as (
    select
        unioned.*,
        row_number() over (
            partition by module_progression_id, completion_status, module_item_id
            order by requirement_position
        ) as occurrence
    from unioned
    where module_item_id is not null
),

final as (
    select
        {{ cd1_surrogate_id(["'module_progression_completion_requirement'", 'numbered.module_progression_id', 'numbered.completion_status', 'numbered.module_item_id', 'numbered.occurrence']) }}
            as module_progression_completion_requirement_id,
        numbered.module_progression_id,
        numbered.module_id,
        numbered.user_id,
        numbered.module_item_id,
        numbered.completion_status,
        -- coalesce: the progression's entry may omit the type; the module's requirement has it
        coalesce(numbered.requirement_type, module_requirements.requirement_type) as requirement_type,
        -- coalesce: the threshold from the entry, else from the module's requirement
        coalesce(numbered.min_score, module_requirements.min_score) as min_score,
        numbered.score
    from numbered
    left join module_requirements
        on module_requirements.module_id = numbered.module_id
        and module_requirements.module_item_id = numbered.module_item_id
)

select * from final
