{#- Score statistics per published assignment over its students' scored submissions (deleted
    submissions and non-students left out): count, min, max, median and quartiles with the
    Analytics API's quartile definition (macro analytics_quartiles). Assignments without any
    score have no row. Local CD2 ids. -#}
with

student_submissions as (
    select * from {{ ref('int_submissions_classified_by_tardiness') }}
),

quartiles as (
    {{ analytics_quartiles('student_submissions', ['course_id', 'assignment_id'], 'score') }}
),

final as (
    select
        course_id,
        assignment_id,
        value_count as scored_submission_count,
        min_value as min_score,
        first_quartile as first_quartile_score,
        median as median_score,
        third_quartile as third_quartile_score,
        max_value as max_score
    from quartiles
)

select * from final
