{#- One row per web request ever loaded (canvas_logs.web_logs). DAP keeps web_logs ~30 days, so
    this table keeps everything: incremental on the loader's load marker (rows of the boundary job
    are read again, so a rerun converges), the processed marker saved by the post-hook. A request
    whose latest record became a delete tombstone is removed by the post-hook. Indexed by time. -#}
{{ config(
    materialized='incremental',
    unique_key='id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook=[
        "{{ cd1_create_index(this, ['timestamp']) }}",
        "{{ cd1_create_index(this, ['id']) }}",
        "delete from {{ this }} where id in (select id from {{ ref('int_web_logs_with_load_markers') }} where is_deleted and load_marker >= {{ cd1_load_marker('requests') }})",
        "{{ cd1_save_load_marker('requests', 'select max(load_marker) from ' ~ ref('int_web_logs_with_load_markers')) }}",
    ],
) }}
{#- timestamp_year / _month / _day as 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' of the UTC timestamp -#}
{%- set request_ts = cd1_timestamp('web_logs.timestamp') -%}
{%- set parts = {} -%}
{%- for part in ['year', 'month', 'day'] -%}
    {%- do parts.update({part: "cast(cast(extract(" ~ part ~ " from " ~ request_ts ~ ") as integer) as " ~ dbt.type_string() ~ ")"}) -%}
{%- endfor -%}
{%- set year_text = parts['year'] -%}
{%- set month_text = dbt.right(dbt.concat(["'0'", parts['month']]), 2) -%}
{%- set day_text = dbt.right(dbt.concat(["'0'", parts['day']]), 2) -%}

with

web_logs as (
    select * from {{ ref('int_web_logs_with_load_markers') }}
    where not is_deleted
    {%- if is_incremental() %}
        and load_marker >= {{ cd1_load_marker('requests') }}
    {%- endif %}
),

controllers as (
    select * from {{ ref('stg_canvas_logs__controller') }}
),

actions as (
    select * from {{ ref('stg_canvas_logs__action') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

{# the institution's only root account, when it has exactly one (R4: then a constant) #}
sole_root as (
    select min(account_id) as root_account_id
    from ancestry
    where depth = 0
    having count(*) = 1
),

final as (
    select
        cast(web_logs.id as varchar(36)) as id,
        {{ request_ts }} as timestamp,
        cast({{ year_text }} as varchar(256)) as timestamp_year,
        cast({{ dbt.concat([year_text, "'-'", month_text]) }} as varchar(256)) as timestamp_month,
        cast({{ dbt.concat([year_text, "'-'", month_text, "'-'", day_text]) }} as varchar(256)) as timestamp_day,
        {{ cd1_global_id('web_logs.user_id') }} as user_id,
        {{ cd1_global_id('web_logs.course_id') }} as course_id,
        -- a request outside any course was made on the institution's only root account
        {{ cd1_global_id('coalesce(ancestry.root_account_id, sole_root.root_account_id)') }} as root_account_id,
        {{ cd1_global_id('courses.account_id') }} as course_account_id,
        {{ cd1_global_id('web_logs.quiz_id') }} as quiz_id,
        {{ cd1_global_id('web_logs.discussion_id') }} as discussion_id,
        {{ cd1_global_id('web_logs.conversation_id') }} as conversation_id,
        {{ cd1_global_id('web_logs.assignment_id') }} as assignment_id,
        cast(web_logs.url as text) as url,
        cast(web_logs.user_agent as text) as user_agent,
        cast({{ cd1_enum('web_logs.http_method') }} as varchar(256)) as http_method,
        cast(web_logs.remote_ip as varchar(256)) as remote_ip,
        cast(web_logs.interaction_micros as bigint) as interaction_micros,
        cast(controllers.value as varchar(256)) as web_application_controller,
        cast(actions.value as varchar(256)) as web_application_action,
        cast({{ cd1_enum('web_logs.web_application_context_type') }} as varchar(256)) as web_application_context_type,
        cast({{ cd1_global_id('web_logs.web_application_context_id') }} as varchar(256)) as web_application_context_id,
        {{ cd1_global_id('web_logs.real_user_id') }} as real_user_id,
        cast(web_logs.session_id as varchar(256)) as session_id,
        cast(null as bigint) as user_agent_id,
        cast({{ cd1_enum('web_logs.http_status') }} as varchar(10)) as http_status,
        cast({{ cd1_enum('web_logs.http_version') }} as varchar(256)) as http_version,
        {{ cd1_global_id('web_logs.developer_key_id') }} as developer_key_id
    from web_logs
    left join controllers
        on controllers.id = web_logs.web_application_controller
    left join actions
        on actions.id = web_logs.web_application_action
    left join courses
        on courses.id = web_logs.course_id
    left join ancestry
        on ancestry.account_id = courses.account_id
    left join sole_root
        on 1 = 1
)

select * from final
