{#- Whether a raw table exists in the warehouse. Institutions load only the tables they need; a
    model over a table never loaded builds empty instead of failing. True while parsing (no
    database then) and inside unit tests (their inputs are fixtures). -#}
{% macro cd2_source_exists(relation) -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(load_relation(relation) is not none) }}
{%- endmacro %}
