{#- Every current learning outcome with its owner split by context type (R6; global outcomes have
    neither), the owning course's term (R5), and its rubric criterion: learning_outcomes.data is
    serialized JSON text {"rubric_criterion": {"mastery_points": n, "points_possible": n,
    "ratings": [{"description": ..., "points": n}, ...]}} (R13). NULL, empty or malformed data
    gives NULL values. Local CD2 ids. -#}
with

outcomes as (
    select * from {{ ref('stg_canvas__learning_outcomes') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

parsed as (
    select
        outcomes.id as learning_outcome_id,
        outcomes.context_type,
        outcomes.context_id,
        outcomes.outcome_import_id,
        {{ cd1_json_get_value(cd1_json_parse('outcomes.data'), 'rubric_criterion') }} as rubric_criterion
    from outcomes
),

final as (
    select
        parsed.learning_outcome_id,
        {{ cd1_context_id('parsed.context_type', 'parsed.context_id', 'Account', global=false) }} as account_id,
        {{ cd1_context_id('parsed.context_type', 'parsed.context_id', 'Course', global=false) }} as course_id,
        courses.enrollment_term_id,
        parsed.rubric_criterion,
        {{ cd1_json_get_number('parsed.rubric_criterion', 'mastery_points') }} as mastery_points,
        {{ cd1_json_get_number('parsed.rubric_criterion', 'points_possible') }} as points_possible,
        parsed.outcome_import_id
    from parsed
    left join courses
        on parsed.context_type = 'Course'
        and courses.id = parsed.context_id
)

select * from final
