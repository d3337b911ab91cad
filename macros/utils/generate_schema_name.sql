{#- Schemas users see (canvas, canvas_logs, cd1, ...) come out verbatim, not "<target>_<custom>".
    The optional var schema_prefix isolates a developer's build (e.g. "dev_jane_"). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set prefix = var('schema_prefix', '') -%}
    {%- if custom_schema_name is none -%}
        {{ prefix ~ target.schema }}
    {%- else -%}
        {{ prefix ~ (custom_schema_name | trim) }}
    {%- endif -%}
{%- endmacro %}
