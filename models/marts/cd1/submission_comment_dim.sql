{#- Incremental (macros/cd1/cd1_incremental.sql): one row per submission comment, from the comment alone. -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__submission_comments',
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
submission_comments as (
    {{ cd1_marked(ref('stg_canvas__submission_comments'), ref('base_canvas__submission_comments')) | indent(4) }}
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
        submission_comments.hidden,
        {{ cd1_marker(['submission_comments']) }} as _dap_loaded_at
    from submission_comments
    {{ cd1_incremental_filter(plan, 'submission_comments.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
