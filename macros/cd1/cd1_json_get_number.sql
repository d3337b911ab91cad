{#- The number under a key of a JSON object (or, with no key, a JSON scalar) as double precision
    (R13): a JSON number, or a string that reads as a decimal number (serialized data sometimes
    quotes numbers; up to 30 integer digits and a two-digit exponent). NULL for anything else and
    for values beyond double precision's range, so a malformed value never fails the model. Casting
    the result to an integer type is the caller's job, within that type's range. -#}
{% macro cd1_json_get_number(column, key=none) -%}
    {%- if column is not string or column | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_json_get_number: argument 'column' must be a SQL expression string, got " ~ column) }}
    {%- endif -%}
    {%- if key is not none and (key is not string or key | length == 0 or "'" in key) -%}
        {{ exceptions.raise_compiler_error("cd1_json_get_number: argument 'key' must be a non-empty string without quotes, got " ~ key) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_json_get_number', 'cd2_warehouse')(column, key)) }}
{%- endmacro %}

{% macro default__cd1_json_get_number(column, key) -%}
    {{ exceptions.raise_compiler_error("cd1_json_get_number: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro postgres__cd1_json_get_number(column, key) -%}
    {%- set value = "cast(" ~ column ~ " as jsonb)" if key is none else "(cast(" ~ column ~ " as jsonb) -> '" ~ key ~ "')" -%}
    (case
        when jsonb_typeof({{ value }}) = 'number'
            and abs(cast({{ value }} #>> '{}' as numeric)) < 1e300
            then cast({{ value }} #>> '{}' as double precision)
        when jsonb_typeof({{ value }}) = 'string'
            and trim({{ value }} #>> '{}') ~ '^[-+]?([0-9]{1,30}\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,2})?$'
            then cast(trim({{ value }} #>> '{}') as double precision)
    end)
{%- endmacro %}
