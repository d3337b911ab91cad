{#- Post-hook SQL creating a secondary index on a CD1 table (e.g. requests by timestamp), if it is
    not there yet. Engines without secondary indexes get a no-op statement. -#}
{% macro cd1_create_index(relation, columns, unique=false) -%}
    {%- if relation is none or relation is string -%}
        {{ exceptions.raise_compiler_error("cd1_create_index: argument 'relation' must be a relation (e.g. this), got " ~ relation) }}
    {%- endif -%}
    {%- if columns is string or columns is not iterable or columns | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_create_index: argument 'columns' must be a non-empty list of column names, got " ~ columns) }}
    {%- endif -%}
    {%- if unique is not boolean -%}
        {{ exceptions.raise_compiler_error("cd1_create_index: argument 'unique' must be true or false, got " ~ unique) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_create_index', 'cd2_warehouse')(relation, columns, unique)) }}
{%- endmacro %}

{% macro default__cd1_create_index(relation, columns, unique) -%}
    select 1
{%- endmacro %}

{% macro postgres__cd1_create_index(relation, columns, unique) -%}
    {%- set name = (relation.identifier ~ '__' ~ (columns | join('__')) ~ '_idx')[:63] -%}
    create {{ 'unique ' if unique }}index if not exists {{ adapter.quote(name) }}
    on {{ relation }} ({% for column in columns %}{{ adapter.quote(column) }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
