{#- A join clause that turns each element of a JSON array into a row (R13: CD1 tables that explode
    serialized lists). Put it right after the FROM item that holds `column`; it adds the relation
    `alias` with columns `element` (the JSON element, jsonb on PostgreSQL) and `ordinal` (1-based
    position). Rows whose value is not an array contribute no rows. -#}
{% macro cd1_json_array_rows(column, alias, key=none) -%}
    {%- for arg_name, arg in [('column', column), ('alias', alias)] -%}
        {%- if arg is not string or arg | length == 0 -%}
            {{ exceptions.raise_compiler_error("cd1_json_array_rows: argument '" ~ arg_name ~ "' must be a non-empty string, got " ~ arg) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if key is not none and (key is not string or key | length == 0 or "'" in key) -%}
        {{ exceptions.raise_compiler_error("cd1_json_array_rows: argument 'key' must be a non-empty string without quotes, got " ~ key) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_json_array_rows', 'cd2_warehouse')(column, alias, key)) }}
{%- endmacro %}

{% macro default__cd1_json_array_rows(column, alias, key) -%}
    {{ exceptions.raise_compiler_error("cd1_json_array_rows: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro postgres__cd1_json_array_rows(column, alias, key) -%}
    {%- set value = "cast(" ~ column ~ " as jsonb)" if key is none else "(cast(" ~ column ~ " as jsonb) -> '" ~ key ~ "')" -%}
    cross join lateral jsonb_array_elements(
        case when jsonb_typeof({{ value }}) = 'array' then {{ value }} else '[]'::jsonb end
    ) with ordinality as {{ alias }}(element, ordinal)
{%- endmacro %}
