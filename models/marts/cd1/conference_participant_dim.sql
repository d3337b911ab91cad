{#- Incremental (macros/cd1/cd1_incremental.sql): one row per conference participant, from that row alone. -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas__web_conference_participants',
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
participants as (
    {{ cd1_marked(ref('stg_canvas__web_conference_participants'), ref('base_canvas__web_conference_participants')) | indent(4) }}
),

final as (
    select
        {{ cd1_global_id('participants.id') }} as id,
        {{ cd1_global_id('participants.user_id') }} as user_id,
        {{ cd1_global_id('participants.web_conference_id') }} as conference_id,
        cast({{ cd1_enum('participants.participation_type') }} as varchar(256)) as participation_type,
        {{ cd1_timestamp('participants.created_at') }} as created_at,
        {{ cd1_timestamp('participants.updated_at') }} as updated_at,
        {{ cd1_marker(['participants']) }} as _dap_loaded_at
    from participants
    {{ cd1_incremental_filter(plan, 'participants.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
