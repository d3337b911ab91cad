{#- The JSON value (any JSON type, still JSON) under a key of a JSON object, for reaching into nested
    serialized structures (e.g. learning_outcomes.data -> rubric_criterion) before handing the result
    to cd1_json_get_text / _number / _array_rows. NULL when the value is not an object or has no such
    key. -#}
{% macro cd1_json_get_value(column, key) -%}
    {%- if column is not string or column | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_json_get_value: argument 'column' must be a SQL expression string, got " ~ column) }}
    {%- endif -%}
    {%- if key is not string or key | length == 0 or "'" in key -%}
        {{ exceptions.raise_compiler_error("cd1_json_get_value: argument 'key' must be a non-empty string without quotes, got " ~ key) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_json_get_value', 'cd2_warehouse')(column, key)) }}
{%- endmacro %}

{% macro default__cd1_json_get_value(column, key) -%}
    {{ exceptions.raise_compiler_error("cd1_json_get_value: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro postgres__cd1_json_get_value(column, key) -%}
    (cast({{ column }} as jsonb) -> '{{ key }}')
{%- endmacro %}
