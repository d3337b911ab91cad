{#- Incremental (macros/cd1/cd1_incremental.sql): one row per assignment; a change of its own post
    policy or of its course's (muted), or of a content tag linking it to an external tool
    recomputes it. The post policies' stamps are in the marker; the tags' are not (the tool is
    read through int_assignments_joined_to_external_tools). -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__assignments',
    'parents': [
        {'base': 'base_canvas__post_policies', 'column': 'assignment_id', 'via': [['base_canvas__assignments', 'id']], 'history': true},
        {'base': 'base_canvas__post_policies', 'column': 'course_id', 'via': [['base_canvas__assignments', 'context_id']], 'history': true},
        {'base': 'base_canvas__content_tags', 'column': 'context_id', 'via': [['base_canvas__assignments', 'id']], 'history': true},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
assignments as (
    {{ cd1_marked(ref('stg_canvas__assignments'), ref('base_canvas__assignments')) | indent(4) }}
),

{#- the post policies twice, not one CTE read twice: PostgreSQL materializes a CTE read twice,
    without statistics or indexes, and at --scale xlarge it joined the 14k changed assignments to
    that copy of 298k policies in a nested loop for 378 s (DECISIONS.md) -#}
assignment_post_policies as (
    {{ cd1_marked(ref('stg_canvas__post_policies'), ref('base_canvas__post_policies')) | indent(4) }}
),

course_post_policies as (
    {{ cd1_marked(ref('stg_canvas__post_policies'), ref('base_canvas__post_policies')) | indent(4) }}
),

external_tools as (
    select * from {{ ref('int_assignments_joined_to_external_tools') }}
),

assignment_policies as (
    select
        assignment_id,
        post_manually,
        _dap_loaded_at
    from assignment_post_policies
    where assignment_id is not null
),

course_policies as (
    select
        course_id,
        post_manually,
        _dap_loaded_at
    from course_post_policies
    where assignment_id is null
),

final as (
    select
        {{ cd1_global_id('assignments.id') }} as id,
        assignments.id as canvas_id,
        {{ cd1_context_id('assignments.context_type', 'assignments.context_id', 'Course') }} as course_id,
        cast(assignments.title as varchar(256)) as title,
        assignments.description,
        {{ cd1_timestamp('assignments.due_at') }} as due_at,
        {{ cd1_timestamp('assignments.unlock_at') }} as unlock_at,
        {{ cd1_timestamp('assignments.lock_at') }} as lock_at,
        cast(assignments.points_possible as double precision) as points_possible,
        cast({{ cd1_enum('assignments.grading_type') }} as varchar(256)) as grading_type,
        cast({{ cd1_json_array_join('assignments.submission_types') }} as varchar(256)) as submission_types,
        cast({{ cd1_enum('assignments.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('assignments.created_at') }} as created_at,
        {{ cd1_timestamp('assignments.updated_at') }} as updated_at,
        cast(assignments.peer_review_count as integer) as peer_review_count,
        {{ cd1_timestamp('assignments.peer_reviews_due_at') }} as peer_reviews_due_at,
        assignments.peer_reviews_assigned,
        assignments.peer_reviews,
        assignments.automatic_peer_reviews,
        assignments.all_day,
        assignments.all_day_date,
        assignments.could_be_locked,
        assignments.grade_group_students_individually,
        assignments.anonymous_peer_reviews,
        {#- coalesce: the assignment's own post policy wins, else the course's; with neither,
            Canvas posts grades automatically (not muted) -#}
        coalesce(assignment_policies.post_manually, course_policies.post_manually, false) as muted,
        {{ cd1_global_id('assignments.assignment_group_id') }} as assignment_group_id,
        cast(assignments.position as integer) as position,
        cast(
            case
                when assignments.only_visible_to_overrides then 'only_visible_to_overrides'
                else 'everyone'
            end as varchar(256)
        ) as visibility,
        {{ cd1_global_id('external_tools.external_tool_id') }} as external_tool_id,
        {{ cd1_marker(['assignments', 'assignment_policies', 'course_policies']) }} as _dap_loaded_at
    from assignments
    left join assignment_policies
        on assignment_policies.assignment_id = assignments.id
    left join course_policies
        on course_policies.course_id = assignments.context_id
        and assignments.context_type = 'Course'
    left join external_tools
        on external_tools.assignment_id = assignments.id
    {{ cd1_incremental_filter(plan, 'assignments.id') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
