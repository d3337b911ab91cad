{#- Incremental (macros/cd1/cd1_incremental.sql): one row per submission; a change of its
    course, assignment or quiz submission recomputes the submissions that join to it, a change of
    a quiz those of its assignment (now) and those that showed it (before). -#}
{%- set spec = {
    'unique_key': 'submission_id',
    'driving': 'base_canvas__submissions',
    'parents': [
        {'base': 'base_canvas__courses', 'via': [['base_canvas__submissions', 'course_id']]},
        {'base': 'base_canvas__assignments', 'via': [['base_canvas__submissions', 'assignment_id']]},
        {'base': 'base_canvas__quiz_submissions', 'via': [['base_canvas__submissions', 'quiz_submission_id']]},
        {'base': 'base_canvas__quizzes', 'column': 'assignment_id',
         'via': [['base_canvas__submissions', 'assignment_id']], 'mart_column': 'quiz_id'},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
submissions as (
    {{ cd1_marked(ref('stg_canvas__submissions'), ref('base_canvas__submissions')) | indent(4) }}
),

courses as (
    {{ cd1_marked(ref('stg_canvas__courses'), ref('base_canvas__courses')) | indent(4) }}
),

assignments as (
    {{ cd1_marked(ref('stg_canvas__assignments'), ref('base_canvas__assignments')) | indent(4) }}
),

quiz_submissions as (
    {{ cd1_marked(ref('stg_canvas__quiz_submissions'), ref('base_canvas__quiz_submissions')) | indent(4) }}
),

quizzes as (
    {{ cd1_marked(ref('stg_canvas__quizzes'), ref('base_canvas__quizzes')) | indent(4) }}
),

{#- a graded quiz's assignment -> the quiz (one quiz per assignment; the newest if several) -#}
quizzes_by_assignment as (
    select
        assignment_id,
        id as quiz_id,
        _dap_loaded_at,
        row_number() over (partition by assignment_id order by id desc) as recency
    from quizzes
    where assignment_id is not null
),

final as (
    select
        {{ cd1_global_id('submissions.id') }} as submission_id,
        {{ cd1_global_id('submissions.assignment_id') }} as assignment_id,
        {{ cd1_global_id('submissions.course_id') }} as course_id,
        {{ cd1_global_id('courses.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('submissions.user_id') }} as user_id,
        {#- automatic graders (quizzes, tools) have a negative grader_id that is no user -#}
        {{ cd1_global_id('case when submissions.grader_id > 0 then submissions.grader_id end') }} as grader_id,
        cast(null as {{ dbt.type_bigint() }}) as course_account_id,
        {{ cd1_enrollment_rollup_id('submissions.user_id', 'submissions.course_id') }} as enrollment_rollup_id,
        cast(submissions.score as double precision) as score,
        cast(submissions.published_score as double precision) as published_score,
        cast(submissions.student_entered_score as double precision) as what_if_score,
        cast(submissions.submission_comments_count as integer) as submission_comments_count,
        {{ cd1_global_id('courses.account_id') }} as account_id,
        {{ cd1_global_id('assignments.assignment_group_id') }} as assignment_group_id,
        {{ cd1_global_id('submissions.group_id') }} as group_id,
        {#- coalesce: the quiz of the linked quiz submission, else the quiz graded by this assignment -#}
        {{ cd1_global_id('coalesce(quiz_submissions.quiz_id, quizzes_by_assignment.quiz_id)') }} as quiz_id,
        {{ cd1_global_id('submissions.quiz_submission_id') }} as quiz_submission_id,
        {{ cd1_global_id('courses.wiki_id') }} as wiki_id,
        {{ cd1_marker(['submissions', 'courses', 'assignments', 'quiz_submissions', 'quizzes_by_assignment']) }} as _dap_loaded_at
    from submissions
    left join courses
        on courses.id = submissions.course_id
    left join assignments
        on assignments.id = submissions.assignment_id
    left join quiz_submissions
        on quiz_submissions.id = submissions.quiz_submission_id
    left join quizzes_by_assignment
        on quizzes_by_assignment.assignment_id = submissions.assignment_id
        and quizzes_by_assignment.recency = 1
    {{ cd1_incremental_filter(plan, 'submissions.id') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
