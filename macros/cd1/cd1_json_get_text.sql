{#- The text of a key of a JSON object (or, with no key, of a JSON scalar) held in a jsonb or JSON
    text column (R13). NULL when the value is missing, JSON null, or (no key) not a scalar: arrays
    and objects are not text. -#}
{% macro cd1_json_get_text(column, key=none) -%}
    {%- if column is not string or column | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_json_get_text: argument 'column' must be a SQL expression string, got " ~ column) }}
    {%- endif -%}
    {%- if key is not none and (key is not string or key | length == 0 or "'" in key) -%}
        {{ exceptions.raise_compiler_error("cd1_json_get_text: argument 'key' must be a non-empty string without quotes, got " ~ key) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_json_get_text', 'cd2_warehouse')(column, key)) }}
{%- endmacro %}

{% macro default__cd1_json_get_text(column, key) -%}
    {{ exceptions.raise_compiler_error("cd1_json_get_text: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro postgres__cd1_json_get_text(column, key) -%}
    {%- set value = "cast(" ~ column ~ " as jsonb)" if key is none else "(cast(" ~ column ~ " as jsonb) -> '" ~ key ~ "')" -%}
    (case when jsonb_typeof({{ value }}) in ('string', 'number', 'boolean') then {{ value }} #>> '{}' end)
{%- endmacro %}
