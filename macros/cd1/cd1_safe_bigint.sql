{#- A text value as bigint, or NULL when it is not a whole number that fits: for CD1 columns typed
    bigint whose CD2 source is free text (e.g. group_dim.sis_source_id). -#}
{% macro cd1_safe_bigint(column) -%}
    {%- if column is not string or column | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_safe_bigint: argument 'column' must be a SQL expression string, got " ~ column) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_safe_bigint', 'cd2_warehouse')(column)) }}
{%- endmacro %}

{% macro default__cd1_safe_bigint(column) -%}
    {{ dbt.safe_cast(column, dbt.type_bigint()) }}
{%- endmacro %}

{% macro postgres__cd1_safe_bigint(column) -%}
    case
        -- at most 18 digits always fits a bigint
        when btrim(cast({{ column }} as text)) ~ '^-?[0-9]{1,18}$'
            then cast(btrim(cast({{ column }} as text)) as {{ dbt.type_bigint() }})
    end
{%- endmacro %}
