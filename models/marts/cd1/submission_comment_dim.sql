with

submission_comments as (
    select * from {{ ref('stg_canvas__submission_comments') }}
),

final as (
    select
        {{ cd1_global_id('submission_comments.id') }} as id,
        submission_comments.id as canvas_id,
        {{ cd1_global_id('submission_comments.submission_id') }} as submission_id,
        cast(null as {{ dbt.type_bigint() }}) as recipient_id,
        {{ cd1_global_id('submission_comments.author_id') }} as author_id,
        {{ cd1_global_id('submission_comments.assessment_request_id') }} as assessment_request_id,
        cast(submission_comments.group_comment_id as varchar(256)) as group_comment_id,
        submission_comments.comment,
        cast(submission_comments.author_name as varchar(256)) as author_name,
        {{ cd1_timestamp('submission_comments.created_at') }} as created_at,
        {{ cd1_timestamp('submission_comments.updated_at') }} as updated_at,
        submission_comments.anonymous,
        submission_comments.teacher_only_comment,
        submission_comments.hidden
    from submission_comments
)

select * from final
