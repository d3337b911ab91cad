{#- One row per (course, student): every user with an active or completed StudentEnrollment in a
    course that is not deleted (the API's student scope; observers, teachers and the test student
    are not students). current_score is one value per student per course, also with several
    enrollments (lecture + lab): the highest current score among the overall course score rows of
    those enrollments. score_bin is that score rounded to the nearest integer, halves up, and NULL
    outside 0..100 (the grade distribution ignores such scores). Local CD2 ids. _dap_loaded_at:
    the newest loader stamp of the course, the enrollments and the score rows read.

    Incremental per course (macros/analytics/analytics_incremental.sql): a run recomputes the
    courses whose row, enrollments or scores changed since the newest marker. -#}
{%- set spec = analytics_course_spec(['enrollments', 'scores']) -%}
{{ config(cd1_incremental_config(spec, {'post_hook': ["{{ cd1_create_index(this, ['course_id', 'user_id']) }}"]})) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
enrollments as (
    select * from (
        {{ cd1_marked(ref('stg_canvas__enrollments'), ref('base_canvas__enrollments')) | indent(8) }}
    ) as marked
    where type = 'StudentEnrollment'
        and workflow_state in ('active', 'completed')
        {{ cd1_incremental_filter(plan, 'course_id', 'and') }}
),

courses as (
    select * from (
        {{ cd1_marked(ref('stg_canvas__courses'), ref('base_canvas__courses')) | indent(8) }}
    ) as marked
    where workflow_state <> 'deleted'
        {{ cd1_incremental_filter(plan, 'id', 'and') }}
),

scores as (
    select * from (
        {{ cd1_marked(ref('stg_canvas__scores'), ref('base_canvas__scores')) | indent(8) }}
    ) as marked
    where course_score
        and grading_period_id is null
        and workflow_state <> 'deleted'
        {%- if plan.mode == 'changes' %}
        and enrollment_id in (
            select changed_enrollments.id
            from {{ ref('base_canvas__enrollments') }} as changed_enrollments
            {{ cd1_incremental_filter(plan, 'changed_enrollments.course_id') }}
        )
        {%- endif %}
),

rolled_up as (
    select
        enrollments.course_id,
        enrollments.user_id,
        count(distinct enrollments.id) as enrollment_count,
        max(scores.current_score) as current_score,
        max({{ cd1_marker(['enrollments', 'courses', 'scores']) }}) as _dap_loaded_at
    from enrollments
    inner join courses
        on courses.id = enrollments.course_id
    left join scores
        on scores.enrollment_id = enrollments.id
    group by
        enrollments.course_id,
        enrollments.user_id
),

final as (
    select
        course_id,
        user_id,
        enrollment_count,
        current_score,
        case
            when floor(current_score + 0.5) between 0 and 100
                then cast(floor(current_score + 0.5) as integer)
        end as score_bin,
        _dap_loaded_at
    from rolled_up
)

select * from final
{{- cd1_incremental_deletions(plan) }}
