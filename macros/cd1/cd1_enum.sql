{#- A CD2 enum value as CD1 shows it: the DAP placeholder __dap_unspecified__ becomes NULL (R10). -#}
{% macro cd1_enum(column) -%}
    {%- if column is not string or column | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_enum: argument 'column' must be a SQL expression string, got " ~ column) }}
    {%- endif -%}
    nullif(cast({{ column }} as {{ dbt.type_string() }}), '__dap_unspecified__')
{%- endmacro %}
