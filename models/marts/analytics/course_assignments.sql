{#- Course assignments (GET /api/v1/courses/:course_id/analytics/assignments): one row per
    published assignment of a course that is not deleted, with the score statistics of its
    students' submissions and its tardiness breakdown as fractions of its students' submissions
    (the API's denominator: the students the assignment is assigned to, who each have a
    submission row; floating ones count in it). Non-digital assignments (on paper, no submission) have an empty breakdown (all
    fractions and the total 0), as in the API. -#}
with

assignments as (
    select * from {{ ref('int_assignments_published_in_courses') }}
),

pairs as (
    select * from {{ ref('int_submissions_classified_by_tardiness') }}
    where not is_non_digital_submission
),

scores as (
    select * from {{ ref('int_assignment_scores_summarized') }}
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
        cast(coalesce(breakdowns.tardiness_total, 0) as {{ dbt.type_bigint() }}) as tardiness_total
    from assignments
    left join breakdowns
        on breakdowns.assignment_id = assignments.assignment_id
    left join scores
        on scores.assignment_id = assignments.assignment_id
)

select * from final
