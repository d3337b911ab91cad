{#- Incremental (macros/cd1/cd1_incremental.sql): one row per conference participant; a change of
    its conference (context) recomputes it. -#}
{%- set spec = {
    'unique_key': 'conference_participant_id',
    'driving': 'base_canvas__web_conference_participants',
    'parents': [
        {'base': 'base_canvas__web_conferences', 'via': [['base_canvas__web_conference_participants', 'web_conference_id']]},
    ],
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
participants as (
    {{ cd1_marked(ref('stg_canvas__web_conference_participants'), ref('base_canvas__web_conference_participants')) | indent(4) }}
),

conferences as (
    {{ cd1_marked(ref('stg_canvas__web_conferences'), ref('base_canvas__web_conferences')) | indent(4) }}
),

final as (
    select
        {{ cd1_global_id('participants.id') }} as conference_participant_id,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Group') }} as group_id,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Course') }} as course_id,
        {{ cd1_context_id('conferences.context_type', 'conferences.context_id', 'Account') }} as account_id,
        {{ cd1_global_id('participants.user_id') }} as user_id,
        {{ cd1_global_id('participants.web_conference_id') }} as conference_id,
        {{ cd1_marker(['participants', 'conferences']) }} as _dap_loaded_at
    from participants
    left join conferences
        on conferences.id = participants.web_conference_id
    {{ cd1_incremental_filter(plan, 'participants.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
