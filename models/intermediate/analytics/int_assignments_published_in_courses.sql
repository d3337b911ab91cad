{#- Every published assignment of a course that is not deleted: the assignments the Analytics API
    reports on, with the attributes the course and student reports show. is_muted: grades post
    manually, under the assignment's post policy or else the course's. is_non_digital_submission:
    the submission types are exactly on_paper, none or not_graded (or none at all), as Canvas'
    Assignment#non_digital_submission?; tardiness breakdowns skip such assignments. Local CD2 ids. -#}
with

assignments as (
    select * from {{ ref('stg_canvas__assignments') }}
    where workflow_state = 'published'
        and context_type = 'Course'
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
    where workflow_state <> 'deleted'
),

post_policies as (
    select * from {{ ref('stg_canvas__post_policies') }}
),

typed as (
    select
        assignments.*,
        {{ cd1_json_array_join('assignments.submission_types') }} as submission_type_list
    from assignments
    inner join courses
        on courses.id = assignments.context_id
),

final as (
    select
        typed.context_id as course_id,
        typed.id as assignment_id,
        typed.title,
        typed.points_possible,
        {{ cd1_timestamp('typed.due_at') }} as due_at,
        {{ cd1_timestamp('typed.unlock_at') }} as unlock_at,
        -- no post policy at either level means grades post automatically: not muted
        coalesce(assignment_policies.post_manually, course_policies.post_manually, false) as is_muted,
        -- no submission types at all is non-digital, like an empty list
        coalesce(typed.submission_type_list, '') in ('on_paper', 'none', 'not_graded', '')
            as is_non_digital_submission
    from typed
    left join post_policies as assignment_policies
        on assignment_policies.assignment_id = typed.id
    left join post_policies as course_policies
        on course_policies.course_id = typed.context_id
        and course_policies.assignment_id is null
)

select * from final
