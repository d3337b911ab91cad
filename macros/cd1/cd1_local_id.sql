{#- The CD2 local id of a CD1 id made by cd1_global_id (this shard's ids lose the shard; an id of
    another shard, kept global by cd1_global_id, stays as it is). -#}
{% macro cd1_local_id(column) -%}
    {%- if column is not string or column | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_local_id: argument 'column' must be a SQL expression string, got " ~ column) }}
    {%- endif -%}
    {%- set offset = "cast(" ~ (cd1_shard_id() | int) ~ " as " ~ dbt.type_bigint() ~ ") * 10000000000000" -%}
    case
        when {{ column }} >= {{ offset }} and {{ column }} < {{ offset }} + 10000000000000
            then {{ column }} - {{ offset }}
        else {{ column }}
    end
{%- endmacro %}
