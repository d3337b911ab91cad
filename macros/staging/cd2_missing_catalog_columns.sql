{#- The (name, data_type) pairs of the catalog columns (the generated source YAML) that the raw
    table lacks (the API never served them): cd2_current_state adds them as typed NULLs, so the
    model always has every catalog column. Empty while parsing and in unit tests. -#}
{% macro cd2_missing_catalog_columns(source_name, table_name, raw) -%}
    {%- set missing = [] -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set present = [] -%}
        {%- for column in adapter.get_columns_in_relation(raw) -%}
            {%- do present.append(column.name | lower) -%}
        {%- endfor -%}
        {%- set node = graph.sources.values()
            | selectattr('source_name', 'equalto', source_name)
            | selectattr('name', 'equalto', table_name) | first -%}
        {%- if present and node is defined and node is not none -%}
            {%- for column in node.columns.values() -%}
                {%- if column.name | lower not in present -%}
                    {%- do present.append(column.name | lower) -%}
                    {%- do missing.append((column.name, column.data_type)) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(missing) }}
{%- endmacro %}
