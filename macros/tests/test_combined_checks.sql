{#- The model's own not_null, unique, unique_combination_of_columns, no_deleted_keys and
    analytics_accepted_range tests in ONE query: what the production refresh (`--selector refresh`) runs instead of one test node
    per column (dbt's cost per node, not the rows, dominated the refresh). Which columns and
    checks: read at run time from the per-column tests attached to the model in dbt's `graph`
    (cd2_combined_checks_of), so they are the one source of truth and this test needs no
    arguments. It reads what get_where_subquery gives it: under the refresh, the rows the newest
    load changed when the model carries `_dap_loaded_at`, else the whole relation.

    Returns one row per failing (column, check): model_name, column_name, check_name,
    check_severity (the per-column test's severity) and failures (not_null: rows with a NULL;
    unique: rows beyond the first per value; unique_combination_of_columns: duplicated
    combinations; no_deleted_keys: rows whose key is a tombstone in the base model;
    analytics_accepted_range: non-NULL values outside the bounds). The test
    counts the failures (fail_calc); it fails when an error-severity check fails, and warns when
    only warn-severity checks do. Its failing rows are stored (store_failures, in the
    `dbt_test__audit` schema), so dbt's failure message points at a table naming the model,
    column, check and count. -#}
{% test combined_checks(model) %}
    {{ config(
        fail_calc='coalesce(sum(failures), 0)',
        warn_if='!= 0',
        error_if="!= 0 and max(case when check_severity = 'error' then 1 else 0 end) = 1",
        store_failures=true
    ) }}
    {%- if not execute -%}
        {{ return('select 1 as failures') }}
    {%- endif -%}
    {%- set node = cd2_test_node() -%}
    {%- set model_id = node.get('attached_node') or (node.depends_on.nodes | first) -%}
    {%- set model_name = graph.nodes[model_id].name if model_id in graph.nodes else model_id -%}
    {%- set checks = cd2_combined_checks_of(model_id) -%}
    {%- set columns = [] -%}
    {%- for check in checks -%}
        {%- for column in check.columns -%}
            {%- if column not in columns -%}
                {%- do columns.append(column) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set composite = checks | selectattr('check_name', 'equalto', 'unique_combination_of_columns') | list %}
with

checked as (
    select
        {%- for column in columns %}
        {{ column }} as checked_{{ loop.index0 }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
),

counted as (
    select
        {%- for check in checks %}
        {%- set col = 'checked.checked_' ~ columns.index(check.columns[0]) %}
        {%- if check.check_name == 'not_null' %}
        count(case when {{ col }} is null then 1 end) as failures_{{ loop.index0 }}
        {%- elif check.check_name == 'unique' %}
        count({{ col }}) - count(distinct {{ col }}) as failures_{{ loop.index0 }}
        {%- elif check.check_name == 'analytics_accepted_range' %}
        {%- set bounds = [] %}
        {%- if check.min_value is not none %}{% do bounds.append(col ~ ' < ' ~ check.min_value) %}{% endif %}
        {%- if check.max_value is not none %}{% do bounds.append(col ~ ' > ' ~ check.max_value) %}{% endif %}
        count(case when {{ bounds | join(' or ') }} then 1 end) as failures_{{ loop.index0 }}
        {%- else %}
        0 as failures_{{ loop.index0 }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from checked
),
{%- for check in checks if check.check_name == 'no_deleted_keys' %}

{#- a semi-join: the planner probes the base model's key for the few rows a refresh checks
    instead of reading all its tombstones, and never repeats a checked row #}
deleted_{{ checks.index(check) }} as (
    select count(*) as failures
    from checked
    where exists (
        select 1
        from {{ check.base_relation }} as base_rows
        where base_rows.meta_action = 'D'
            and base_rows.{{ check.base_column }} = checked.checked_{{ columns.index(check.columns[0]) }}
    )
),
{%- endfor %}
{%- for check in composite %}
{%- set cols = [] %}
{%- for column in check.columns %}{% do cols.append('checked_' ~ columns.index(column)) %}{% endfor %}

duplicated_{{ checks.index(check) }} as (
    select count(*) as failures
    from (
        select {{ cols | join(', ') }}
        from checked
        group by {{ cols | join(', ') }}
        having count(*) > 1
    ) as duplicates
),
{%- endfor %}

results as (
    {%- for check in checks %}
    select
        '{{ model_name }}' as model_name,
        '{{ check.label }}' as column_name,
        '{{ check.check_name }}' as check_name,
        '{{ check.severity }}' as check_severity,
        {%- if check.check_name == 'unique_combination_of_columns' %}
        duplicated_{{ loop.index0 }}.failures as failures
    from duplicated_{{ loop.index0 }}
        {%- elif check.check_name == 'no_deleted_keys' %}
        deleted_{{ loop.index0 }}.failures as failures
    from deleted_{{ loop.index0 }}
        {%- else %}
        counted.failures_{{ loop.index0 }} as failures
    from counted
        {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from results
where failures > 0
{% endtest %}
