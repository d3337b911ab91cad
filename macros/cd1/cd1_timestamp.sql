{#- A CD2 timestamp (timestamptz in the warehouse) as a CD1 timestamp: naive, in UTC. -#}
{% macro cd1_timestamp(column) -%}
    {%- if column is not string or column | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_timestamp: argument 'column' must be a SQL expression string, got " ~ column) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_timestamp', 'cd2_warehouse')(column)) }}
{%- endmacro %}

{% macro postgres__cd1_timestamp(column) -%}
    ({{ column }} at time zone 'UTC')
{%- endmacro %}

{% macro default__cd1_timestamp(column) -%}
    cast({{ column }} as {{ dbt.type_timestamp() }})
{%- endmacro %}
