{#- Every current module (canvas.context_modules) with the course that owns it (R6) and what CD1's
    module facts repeat from that course: its account and term (R5) and its wiki (R8). Local CD2 ids;
    marts make them global. -#}
with

modules as (
    select * from {{ ref('stg_canvas__context_modules') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

final as (
    select
        modules.id as module_id,
        {{ cd1_context_id('modules.context_type', 'modules.context_id', 'Course', global=false) }} as course_id,
        courses.account_id as course_account_id,
        courses.enrollment_term_id,
        courses.wiki_id
    from modules
    left join courses
        on modules.context_type = 'Course'
        and courses.id = modules.context_id
)

select * from final
