{#- Every assignment with the course context CD1 facts repeat on each row: the course (R6), its
    account and term (R5), its wiki (R8) and the assignment group. Local CD2 ids; marts make them
    global. -#}
with

assignments as (
    select * from {{ ref('stg_canvas__assignments') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

final as (
    select
        assignments.id as assignment_id,
        {{ cd1_context_id('assignments.context_type', 'assignments.context_id', 'Course', global=false) }} as course_id,
        courses.account_id as course_account_id,
        courses.enrollment_term_id,
        courses.wiki_id,
        assignments.assignment_group_id
    from assignments
    left join courses
        on courses.id = assignments.context_id
        and assignments.context_type = 'Course'
)

select * from final
