{#- A CD1 surrogate id from a CD2 local id (R2/R3): shard_id * 10^13 + local id, with the shard id
    from cd1_shard_id() (var 'shard_id' or CD2_SHARD_ID; no default). Ids already >= 10^13 point at
    another shard and are global already (a cross-shard user's canvas_id is then that global id). -#}
{% macro cd1_global_id(column) -%}
    {%- if column is not string or column | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_global_id: argument 'column' must be a SQL expression string, got " ~ column) }}
    {%- endif -%}
    {%- set shard = cd1_shard_id() -%}
    case
        when {{ column }} >= 10000000000000 then cast({{ column }} as {{ dbt.type_bigint() }})
        else cast({{ shard | int }} as {{ dbt.type_bigint() }}) * 10000000000000 + {{ column }}
    end
{%- endmacro %}
