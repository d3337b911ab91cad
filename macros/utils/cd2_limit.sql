{#- A row limit at the end of a select (LIMIT on PostgreSQL; other engines may differ). -#}
{% macro cd2_limit(n) -%}
    {{ return(adapter.dispatch('cd2_limit', 'cd2_warehouse')(n)) }}
{%- endmacro %}

{% macro default__cd2_limit(n) -%}
    limit {{ n | int }}
{%- endmacro %}
