{#- Student-in-course assignments
    (GET /api/v1/courses/:course_id/analytics/users/:student_id/assignments): one row per (course,
    student, published assignment assigned to the student: with a submission row) with the course-wide statistics of course_assignments' source
    (score statistics of the assignment), the modules the assignment sits in, and the student's own
    submission and tardiness status (non-digital assignments included, as in the API). -#}
with

pairs as (
    select * from {{ ref('int_submissions_classified_by_tardiness') }}
),

assignments as (
    select * from {{ ref('int_assignments_published_in_courses') }}
),

scores as (
    select * from {{ ref('int_assignment_scores_summarized') }}
),

module_items as (
    select distinct
        content_id as assignment_id,
        context_module_id
    from {{ ref('stg_canvas__content_tags') }}
    where tag_type = 'context_module'
        and content_type = 'Assignment'
        and workflow_state <> 'deleted'
        and context_module_id is not null
),

modules as (
    select
        assignment_id,
        {{ dbt.listagg(dbt.cast('context_module_id', dbt.type_string()), "','", "order by context_module_id") }} as module_ids
    from module_items
    group by assignment_id
),

final as (
    select
        pairs.course_id,
        pairs.user_id,
        pairs.assignment_id,
        cast(assignments.title as varchar(256)) as title,
        cast(assignments.points_possible as {{ dbt.type_float() }}) as points_possible,
        assignments.due_at,
        assignments.unlock_at,
        assignments.is_muted,
        assignments.is_non_digital_submission,
        cast(scores.min_score as {{ dbt.type_float() }}) as min_score,
        cast(scores.max_score as {{ dbt.type_float() }}) as max_score,
        cast(scores.median_score as {{ dbt.type_float() }}) as median_score,
        cast(scores.first_quartile_score as {{ dbt.type_float() }}) as first_quartile_score,
        cast(scores.third_quartile_score as {{ dbt.type_float() }}) as third_quartile_score,
        cast(modules.module_ids as varchar(1024)) as module_ids,
        pairs.submission_id,
        pairs.submitted_at,
        pairs.posted_at,
        cast(pairs.score as {{ dbt.type_float() }}) as score,
        pairs.is_excused,
        cast(pairs.tardiness_status as varchar(16)) as tardiness_status
    from pairs
    inner join assignments
        on assignments.assignment_id = pairs.assignment_id
    left join scores
        on scores.assignment_id = pairs.assignment_id
    left join modules
        on modules.assignment_id = pairs.assignment_id
)

select * from final
