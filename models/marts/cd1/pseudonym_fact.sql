{#- Incremental (macros/cd1/cd1_incremental.sql): one row per login (pseudonym), from that row alone. -#}
{%- set spec = {
    'unique_key': 'pseudonym_id',
    'driving': 'base_canvas__pseudonyms',
} -%}
{{ config(cd1_incremental_config(spec)) }}
{%- set plan = cd1_incremental_plan(spec) %}

with
{{ cd1_incremental_ctes(plan) }}
pseudonyms as (
    {{ cd1_marked(ref('stg_canvas__pseudonyms'), ref('base_canvas__pseudonyms')) | indent(4) }}
),

final as (
    select
        {{ cd1_global_id('pseudonyms.id') }} as pseudonym_id,
        {{ cd1_global_id('pseudonyms.user_id') }} as user_id,
        {{ cd1_global_id('pseudonyms.account_id') }} as account_id,
        cast(pseudonyms.login_count as integer) as login_count,
        cast(pseudonyms.failed_login_count as integer) as failed_login_count,
        {{ cd1_marker(['pseudonyms']) }} as _dap_loaded_at
    from pseudonyms
    {{ cd1_incremental_filter(plan, 'pseudonyms.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
