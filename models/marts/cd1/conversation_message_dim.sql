{#- Incremental (macros/cd1/cd1_incremental.sql): one row per conversation message, from that row alone. -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__conversation_messages',
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
messages as (
    {{ cd1_marked(ref('stg_canvas__conversation_messages'), ref('base_canvas__conversation_messages')) | indent(4) }}
),

final as (
    select
        {{ cd1_global_id('messages.id') }} as id,
        messages.id as canvas_id,
        {{ cd1_global_id('messages.conversation_id') }} as conversation_id,
        {{ cd1_global_id('messages.author_id') }} as author_id,
        {{ cd1_timestamp('messages.created_at') }} as created_at,
        messages.generated,
        messages.has_attachments,
        messages.has_media_objects,
        cast(messages.body as text) as body,
        {{ cd1_marker(['messages']) }} as _dap_loaded_at
    from messages
    {{ cd1_incremental_filter(plan, 'messages.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
