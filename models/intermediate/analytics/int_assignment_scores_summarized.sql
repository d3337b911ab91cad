{#- Score statistics per published assignment over its students' scored submissions (deleted
    submissions and non-students left out): count, min, max, median and quartiles with the
    Analytics API's quartile definition (macro analytics_quartiles). Assignments without any
    score have no row. Local CD2 ids. _dap_loaded_at: the newest marker of the assignment's pairs.

    Incremental per course, as int_submissions_classified_by_tardiness, which it summarizes. -#}
{%- set spec = analytics_course_spec(['enrollments', 'assignments', 'post_policies', 'submissions']) -%}
{{ config(cd1_incremental_config(spec, {'post_hook': ["{{ cd1_create_index(this, ['assignment_id']) }}"]})) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
student_submissions as (
    select * from {{ ref('int_submissions_classified_by_tardiness') }}
    {{ cd1_incremental_filter(plan, 'course_id') }}
),

quartiles as (
    {{ analytics_quartiles('student_submissions', ['course_id', 'assignment_id'], 'score') }}
),

markers as (
    select
        assignment_id,
        max(_dap_loaded_at) as _dap_loaded_at
    from student_submissions
    where score is not null
    group by assignment_id
),

final as (
    select
        quartiles.course_id,
        quartiles.assignment_id,
        quartiles.value_count as scored_submission_count,
        quartiles.min_value as min_score,
        quartiles.first_quartile as first_quartile_score,
        quartiles.median as median_score,
        quartiles.third_quartile as third_quartile_score,
        quartiles.max_value as max_score,
        markers._dap_loaded_at
    from quartiles
    inner join markers
        on markers.assignment_id = quartiles.assignment_id
)

select * from final
{{- cd1_incremental_deletions(plan) }}
