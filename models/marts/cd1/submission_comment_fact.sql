with

submission_comments as (
    select * from {{ ref('stg_canvas__submission_comments') }}
),

submissions as (
    select * from {{ ref('stg_canvas__submissions') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

comments_in_context as (
    select
        submission_comments.*,
        submissions.assignment_id,
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
        {{ cd1_text_metrics('comments_in_context.comment', 'line_count') }} as message_line_count
    from comments_in_context
    left join courses
        on courses.id = comments_in_context.course_id
)

select * from final
