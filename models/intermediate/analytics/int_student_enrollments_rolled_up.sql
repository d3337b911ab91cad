{#- One row per (course, student): every user with an active or completed StudentEnrollment in a
    course that is not deleted (the API's student scope; observers, teachers and the test student
    are not students). current_score is one value per student per course, also with several
    enrollments (lecture + lab): the highest current score among the overall course score rows of
    those enrollments. score_bin is that score rounded to the nearest integer, halves up, and NULL
    outside 0..100 (the grade distribution ignores such scores). Local CD2 ids. -#}
with

enrollments as (
    select * from {{ ref('stg_canvas__enrollments') }}
    where type = 'StudentEnrollment'
        and workflow_state in ('active', 'completed')
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
    where workflow_state <> 'deleted'
),

scores as (
    select * from {{ ref('stg_canvas__scores') }}
    where course_score
        and grading_period_id is null
        and workflow_state <> 'deleted'
),

rolled_up as (
    select
        enrollments.course_id,
        enrollments.user_id,
        count(distinct enrollments.id) as enrollment_count,
        max(scores.current_score) as current_score
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
        end as score_bin
    from rolled_up
)

select * from final
