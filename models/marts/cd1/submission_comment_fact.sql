{#- Incremental (macros/cd1/cd1_incremental.sql): one row per submission comment; a change of its submission (assignment,
    course) or of the course (term, account) recomputes it. -#}
{%- set spec = {
    'unique_key': 'submission_comment_id',
    'driving': 'base_canvas__submission_comments',
    'parents': [
        {'base': 'base_canvas__submissions', 'via': [['base_canvas__submission_comments', 'submission_id']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__submissions', 'course_id'], ['base_canvas__submission_comments', 'submission_id']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas__submission_comments', 'context_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
submission_comments as (
    {{ cd1_marked(ref('stg_canvas__submission_comments'), ref('base_canvas__submission_comments')) | indent(4) }}
),

submissions as (
    {{ cd1_marked(ref('stg_canvas__submissions'), ref('base_canvas__submissions')) | indent(4) }}
),

courses as (
    {{ cd1_marked(ref('stg_canvas__courses'), ref('base_canvas__courses')) | indent(4) }}
),

comments_in_context as (
    select
        submission_comments.*,
        submissions.assignment_id,
        submissions._dap_loaded_at as submission_loaded_at,
        {#- coalesce: the submission's course; the comment's own context if the submission is gone -#}
        coalesce(
            submissions.course_id,
            {{ cd1_context_id('submission_comments.context_type', 'submission_comments.context_id', 'Course', global=false) }}
        ) as course_id
    from submission_comments
    left join submissions
        on submissions.id = submission_comments.submission_id
),

final as (
    select
        {{ cd1_global_id('comments_in_context.id') }} as submission_comment_id,
        {{ cd1_global_id('comments_in_context.submission_id') }} as submission_id,
        cast(null as {{ dbt.type_bigint() }}) as recipient_id,
        {{ cd1_global_id('comments_in_context.author_id') }} as author_id,
        {{ cd1_global_id('comments_in_context.assignment_id') }} as assignment_id,
        {{ cd1_global_id('comments_in_context.course_id') }} as course_id,
        {{ cd1_global_id('courses.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('courses.account_id') }} as course_account_id,
        {{ cd1_text_metrics('comments_in_context.comment', 'size_bytes') }} as message_size_bytes,
        {{ cd1_text_metrics('comments_in_context.comment', 'character_count') }} as message_character_count,
        {{ cd1_text_metrics('comments_in_context.comment', 'word_count') }} as message_word_count,
        {{ cd1_text_metrics('comments_in_context.comment', 'line_count') }} as message_line_count,
        {{ cd1_marker(['comments_in_context', 'comments_in_context.submission_loaded_at', 'courses']) }} as _dap_loaded_at
    from comments_in_context
    left join courses
        on courses.id = comments_in_context.course_id
    {{ cd1_incremental_filter(plan, 'comments_in_context.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
