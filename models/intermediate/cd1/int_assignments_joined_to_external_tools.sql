{#- The external tool an assignment submits to: Canvas links an external-tool assignment to its
    tool with a content tag (context = the assignment, content = the ContextExternalTool). One row
    per assignment that has a live tag; when several are live, the newest tag wins. -#}
with

content_tags as (
    select * from {{ ref('stg_canvas__content_tags') }}
),

tool_tags as (
    select
        context_id as assignment_id,
        content_id as external_tool_id,
        row_number() over (partition by context_id order by id desc) as recency
    from content_tags
    where context_type = 'Assignment'
        and content_type = 'ContextExternalTool'
        and content_id is not null
        and workflow_state <> 'deleted'
),

final as (
    select
        assignment_id,
        external_tool_id
    from tool_tags
    where recency = 1
)

select * from final
