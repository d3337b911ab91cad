{#- Incremental (macros/cd1/cd1_incremental.sql): one row per login (pseudonym), from that row alone. -#}
{%- set spec = {
    'unique_key': 'id',
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
        {{ cd1_global_id('pseudonyms.id') }} as id,
        pseudonyms.id as canvas_id,
        {{ cd1_global_id('pseudonyms.user_id') }} as user_id,
        {{ cd1_global_id('pseudonyms.account_id') }} as account_id,
        cast({{ cd1_enum('pseudonyms.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('pseudonyms.last_request_at') }} as last_request_at,
        {{ cd1_timestamp('pseudonyms.last_login_at') }} as last_login_at,
        {{ cd1_timestamp('pseudonyms.current_login_at') }} as current_login_at,
        cast(pseudonyms.last_login_ip as varchar(256)) as last_login_ip,
        cast(pseudonyms.current_login_ip as varchar(256)) as current_login_ip,
        cast(pseudonyms.position as integer) as position,
        {{ cd1_timestamp('pseudonyms.created_at') }} as created_at,
        {{ cd1_timestamp('pseudonyms.updated_at') }} as updated_at,
        cast(null as boolean) as password_auto_generated,
        {{ cd1_timestamp('pseudonyms.deleted_at') }} as deleted_at,
        cast(pseudonyms.sis_user_id as varchar(256)) as sis_user_id,
        cast(pseudonyms.unique_id as varchar(256)) as unique_name,
        cast(pseudonyms.integration_id as varchar(256)) as integration_id,
        {{ cd1_global_id('pseudonyms.authentication_provider_id') }} as authentication_provider_id,
        {{ cd1_marker(['pseudonyms']) }} as _dap_loaded_at
    from pseudonyms
    {{ cd1_incremental_filter(plan, 'pseudonyms.id', 'where') }}
)

select * from final
{{- cd1_incremental_deletions(plan) }}
