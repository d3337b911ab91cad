{#- Every current score with what CD1's score facts repeat on each row: the enrollment's course,
    that course's account (R5), and for grading-period scores the period's group and the group's
    account. Local CD2 ids; marts make them global. -#}
with

scores as (
    select * from {{ ref('stg_canvas__scores') }}
),

enrollments as (
    select * from {{ ref('stg_canvas__enrollments') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

grading_periods as (
    select * from {{ ref('stg_canvas__grading_periods') }}
),

grading_period_groups as (
    select * from {{ ref('stg_canvas__grading_period_groups') }}
),

final as (
    select
        scores.id as score_id,
        scores.enrollment_id,
        enrollments.course_id,
        courses.account_id as course_account_id,
        scores.assignment_group_id,
        scores.grading_period_id,
        grading_periods.grading_period_group_id,
        grading_period_groups.account_id as grading_period_group_account_id
    from scores
    left join enrollments
        on enrollments.id = scores.enrollment_id
    left join courses
        on courses.id = enrollments.course_id
    left join grading_periods
        on grading_periods.id = scores.grading_period_id
    left join grading_period_groups
        on grading_period_groups.id = grading_periods.grading_period_group_id
)

select * from final
