{#- The owner id for one context type of a polymorphic (context_type, context_id) pair (R6):
    `context_id` when `context_type` equals `type_name`, else NULL. Returns the global id unless
    global=false. -#}
{% macro cd1_context_id(type_column, id_column, type_name, global=true) -%}
    {%- for arg_name, arg in [('type_column', type_column), ('id_column', id_column), ('type_name', type_name)] -%}
        {%- if arg is not string or arg | length == 0 -%}
            {{ exceptions.raise_compiler_error("cd1_context_id: argument '" ~ arg_name ~ "' must be a non-empty string, got " ~ arg) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set local = "case when " ~ type_column ~ " = '" ~ type_name ~ "' then " ~ id_column ~ " end" -%}
    {%- if global -%}{{ cd1_global_id(local) }}{%- else -%}{{ local }}{%- endif -%}
{%- endmacro %}
