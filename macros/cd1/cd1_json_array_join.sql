{#- The elements of a JSON array (the column itself, or the array under `key` of a JSON object)
    joined into one delimited text in array order (R13; e.g. assignments.submission_types as CD1's
    comma list). Scalars are joined as text; NULL when there is no array or it is empty. -#}
{% macro cd1_json_array_join(column, key=none, delimiter=',') -%}
    {%- if column is not string or column | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_json_array_join: argument 'column' must be a SQL expression string, got " ~ column) }}
    {%- endif -%}
    {%- if key is not none and (key is not string or key | length == 0 or "'" in key) -%}
        {{ exceptions.raise_compiler_error("cd1_json_array_join: argument 'key' must be a non-empty string without quotes, got " ~ key) }}
    {%- endif -%}
    {%- if delimiter is not string or "'" in delimiter -%}
        {{ exceptions.raise_compiler_error("cd1_json_array_join: argument 'delimiter' must be a string without quotes, got " ~ delimiter) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_json_array_join', 'cd2_warehouse')(column, key, delimiter)) }}
{%- endmacro %}

{% macro default__cd1_json_array_join(column, key, delimiter) -%}
    {{ exceptions.raise_compiler_error("cd1_json_array_join: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro postgres__cd1_json_array_join(column, key, delimiter) -%}
    {%- set value = "cast(" ~ column ~ " as jsonb)" if key is none else "(cast(" ~ column ~ " as jsonb) -> '" ~ key ~ "')" -%}
    (
        select string_agg(element.value #>> '{}', '{{ delimiter }}' order by element.ordinal)
        from jsonb_array_elements(
            case when jsonb_typeof({{ value }}) = 'array' then {{ value }} else '[]'::jsonb end
        ) with ordinality as element(value, ordinal)
        where jsonb_typeof(element.value) in ('string', 'number', 'boolean')
    )
{%- endmacro %}
