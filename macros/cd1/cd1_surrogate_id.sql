{#- A generated bigint surrogate id for CD1 rows that have no Canvas id of their own (exploded
    serialized lists, junction rows): the first 60 bits of the MD5 of the key expressions, so it is
    stable across rebuilds for the same key and non-negative. Collisions are possible in principle
    (2^-60 per pair); the marts' unique tests would catch one. -#}
{% macro cd1_surrogate_id(expressions) -%}
    {%- if expressions is string or expressions is not iterable or expressions | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_surrogate_id: argument 'expressions' must be a non-empty list of SQL expressions, got " ~ expressions) }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for expression in expressions -%}
        {%- if loop.index > 1 -%}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append("coalesce(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('cd1_surrogate_id', 'cd2_warehouse')(dbt.hash(dbt.concat(parts)))) }}
{%- endmacro %}

{% macro default__cd1_surrogate_id(hex_expression) -%}
    {{ exceptions.raise_compiler_error("cd1_surrogate_id: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro postgres__cd1_surrogate_id(hex_expression) -%}
    cast(cast(('x' || substr({{ hex_expression }}, 1, 15)) as bit(60)) as bigint)
{%- endmacro %}
