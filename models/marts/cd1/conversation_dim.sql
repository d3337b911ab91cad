{#- Incremental (macros/cd1/cd1_incremental.sql): one row per conversation, from that row alone. -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__conversations',
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
conversations as (
    {{ cd1_marked(ref('stg_canvas__conversations'), ref('base_canvas__conversations')) | indent(4) }}
),

final as (
    select
        {{ cd1_global_id('conversations.id') }} as id,
        conversations.id as canvas_id,
        conversations.has_attachments,
        conversations.has_media_objects,
        cast(conversations.subject as varchar(256)) as subject,
        {{ cd1_context_id('conversations.context_type', 'conversations.context_id', 'Course') }} as course_id,
        {{ cd1_context_id('conversations.context_type', 'conversations.context_id', 'Group') }} as group_id,
        {{ cd1_context_id('conversations.context_type', 'conversations.context_id', 'Account') }} as account_id,
        {{ cd1_marker(['conversations']) }} as _dap_loaded_at
    from conversations
    {{ cd1_incremental_filter(plan, 'conversations.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
