{#- Course assignments (GET /api/v1/courses/:course_id/analytics/assignments): one row per
    published assignment of a course that is not deleted, with the score statistics of its
    students' submissions and its tardiness breakdown as fractions of its students' submissions
    (the API's denominator: the students the assignment is assigned to, who each have a
    submission row; floating ones count in it). Non-digital assignments (on paper, no submission) have an empty breakdown (all
    fractions and the total 0), as in the API. _dap_loaded_at: the newest marker of the assignment
    and its pairs.

    Incremental per course (macros/analytics/analytics_incremental.sql): a run recomputes the
    courses whose row, enrollments, assignments, post policies or submissions changed since the
    mart's newest marker. -#}
{%- set spec = analytics_course_spec(['enrollments', 'assignments', 'post_policies', 'submissions']) -%}
{{ config(cd1_incremental_config(spec, {'post_hook': ["{{ cd1_create_index(this, ['assignment_id']) }}"]})) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
assignments as (
    select * from {{ ref('int_assignments_published_in_courses') }}
    {{ cd1_incremental_filter(plan, 'course_id') }}
),

all_pairs as (
    select * from {{ ref('int_submissions_classified_by_tardiness') }}
    {{ cd1_incremental_filter(plan, 'course_id') }}
),

pairs as (
    select * from all_pairs
    where not is_non_digital_submission
),

scores as (
    select * from {{ ref('int_assignment_scores_summarized') }}
    {{ cd1_incremental_filter(plan, 'course_id') }}
),

markers as (
    select
        assignment_id,
        max(_dap_loaded_at) as _dap_loaded_at
    from all_pairs
    group by assignment_id
),

breakdowns as (
    select
        assignment_id,
        count(*) as tardiness_total,
        {%- for status in ['on_time', 'late', 'missing', 'floating'] %}
        sum(case when tardiness_status = '{{ status }}' then 1 else 0 end) as {{ status }}_count{{ "," if not loop.last }}
        {%- endfor %}
    from pairs
    group by assignment_id
),

final as (
    select
        assignments.course_id,
        assignments.assignment_id,
        cast(assignments.title as varchar(256)) as title,
        cast(assignments.points_possible as {{ dbt.type_float() }}) as points_possible,
        assignments.due_at,
        assignments.unlock_at,
        assignments.is_muted,
        assignments.is_non_digital_submission,
        -- an assignment without any scored submission has no statistics row: zero scores
        cast(coalesce(scores.scored_submission_count, 0) as {{ dbt.type_bigint() }}) as scored_submission_count,
        cast(scores.min_score as {{ dbt.type_float() }}) as min_score,
        cast(scores.max_score as {{ dbt.type_float() }}) as max_score,
        cast(scores.median_score as {{ dbt.type_float() }}) as median_score,
        cast(scores.first_quartile_score as {{ dbt.type_float() }}) as first_quartile_score,
        cast(scores.third_quartile_score as {{ dbt.type_float() }}) as third_quartile_score,
        {%- for status in ['on_time', 'late', 'missing', 'floating'] %}
        cast(
            case
                when breakdowns.tardiness_total is null then 0
                else 1.0 * breakdowns.{{ status }}_count / breakdowns.tardiness_total
            end as {{ dbt.type_float() }}
        ) as {{ status }}_fraction,
        {%- endfor %}
        -- no pairs (non-digital, or no students) is an empty breakdown
        cast(coalesce(breakdowns.tardiness_total, 0) as {{ dbt.type_bigint() }}) as tardiness_total,
        {{ cd1_marker(['assignments', 'markers']) }} as _dap_loaded_at
    from assignments
    left join breakdowns
        on breakdowns.assignment_id = assignments.assignment_id
    left join scores
        on scores.assignment_id = assignments.assignment_id
    left join markers
        on markers.assignment_id = assignments.assignment_id
)

select * from final
{{- cd1_incremental_deletions(plan) }}
