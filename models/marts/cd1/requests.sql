{#- One row per web request ever loaded (canvas_logs.web_logs). DAP keeps web_logs ~30 days, so
    this table keeps everything. Incremental (macros/cd1/cd1_incremental.sql): new and changed
    requests, those of a course that changed (its account), of a changed controller or action
    name, and those whose root account changed with the account tree (cd1_requests_account_changes);
    a request whose latest record became a delete tombstone is removed. Indexed by time. -#}
{%- set account_tree = ref('int_accounts_paired_with_ancestors') -%}{#- read by cd1_requests_account_changes -#}
{%- set spec = {
    'unique_key': 'id',
    'driving': 'base_canvas_logs__web_logs',
    'unique_key_sql': 'cast({} as varchar(36))',
    'driving_key_sql': '{}',
    'parents': [
        {'base': 'base_canvas_logs__controller', 'via': [['base_canvas_logs__web_logs', 'web_application_controller']]},
        {'base': 'base_canvas_logs__action', 'via': [['base_canvas_logs__web_logs', 'web_application_action']]},
        {'base': 'base_canvas__courses', 'via': [['base_canvas_logs__web_logs', 'course_id']]},
        {'base': 'base_canvas__accounts', 'keys_macro': 'cd1_requests_account_changes'},
    ],
} -%}
{{ config(cd1_incremental_config(spec, extra={'post_hook': ["{{ cd1_create_index(this, ['timestamp']) }}", "{{ cd1_create_index(this, ['course_account_id', 'root_account_id']) }}"]})) }}
{%- set plan = cd1_incremental_plan(spec) %}
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
{{ cd1_incremental_ctes(plan) }}
web_logs as (
    select * from {{ ref('int_web_logs_with_load_markers') }}
    where not is_deleted
    {{ cd1_incremental_filter(plan, 'id', 'and') }}
),

controllers as (
    {{ cd1_marked(ref('stg_canvas_logs__controller'), ref('base_canvas_logs__controller')) | indent(4) }}
),

actions as (
    {{ cd1_marked(ref('stg_canvas_logs__action'), ref('base_canvas_logs__action')) | indent(4) }}
),

courses as (
    {{ cd1_marked(ref('stg_canvas__courses'), ref('base_canvas__courses')) | indent(4) }}
),

{#- the account tree's marker: the newest of the accounts on the course's chain is not known
    here, so requests carry the markers of the rows they join directly (web log, controller,
    action, course); a change of the tree reaches them through cd1_requests_account_changes -#}
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
        {{ cd1_global_id('web_logs.developer_key_id') }} as developer_key_id,
        {{ cd1_marker(['web_logs', 'controllers', 'actions', 'courses']) }} as _dap_loaded_at
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
{{- cd1_incremental_deletions(plan) }}
