{#- An empty relation with the columns (and types) the generated sources YAML documents for a raw
    table: what a current-state model holds while its table has never been loaded. -#}
{% macro cd2_empty_from_source(source_name, table_name) -%}
    {%- set node = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name)
        | selectattr('name', 'equalto', table_name) | first -%}
    {%- if node is not defined or node is none -%}
        {{ exceptions.raise_compiler_error("cd2_empty_from_source: no source " ~ source_name ~ "." ~ table_name) }}
    {%- endif -%}
    {%- set columns = node.columns.values() | list -%}
    {%- if columns | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd2_empty_from_source: source " ~ source_name ~ "." ~ table_name ~ " documents no columns; run cd2 codegen") }}
    {%- endif -%}
select
    {%- for column in columns %}
    cast(null as {{ column.data_type or 'text' }}) as {{ adapter.quote(column.name) }}{{ "," if not loop.last }}
    {%- endfor %}
where 1 = 0
{%- endmacro %}
