{#- Every classic quiz with its course (R6), the course's account and term (R5), the root account
    (R4) and the quiz's assignment: the context CD1 repeats on quiz, question and answer rows.
    Local CD2 ids; marts make them global. -#}
with

quizzes as (
    select * from {{ ref('stg_canvas__quizzes') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

final as (
    select
        quizzes.id as quiz_id,
        {{ cd1_context_id('quizzes.context_type', 'quizzes.context_id', 'Course', global=false) }} as course_id,
        quizzes.assignment_id,
        courses.account_id as course_account_id,
        courses.enrollment_term_id,
        ancestry.root_account_id
    from quizzes
    left join courses
        on courses.id = quizzes.context_id
        and quizzes.context_type = 'Course'
    left join ancestry
        on ancestry.account_id = courses.account_id
)

select * from final
