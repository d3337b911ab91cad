{#- The institution's Canvas shard id (R2), from var('shard_id') or else the environment variable
    CD2_SHARD_ID. There is no default: a wrong shard silently gives every CD1 id a value that differs
    from the ids the institution stored from CD1, so a run without one stops (on-run-start calls
    cd1_require_shard_id). While dbt only parses (execute is false), and for `dbt docs generate`
    (`cd2 docs`: it builds nothing), it returns 0 so that parsing, codegen and the docs site need no
    shard. -#}
{% macro cd1_shard_id() -%}
    {%- set from_var = var('shard_id', none) -%}
    {%- set from_env = env_var('CD2_SHARD_ID', '') | trim -%}
    {%- if from_var is not none and from_var | string | trim != '' -%}
        {%- set raw, origin = from_var, "var 'shard_id'" -%}
    {%- elif from_env != '' -%}
        {%- set raw, origin = from_env, 'environment variable CD2_SHARD_ID' -%}
    {%- elif not execute or flags.WHICH == 'generate' -%}
        {{ return(0) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(cd1_shard_id_missing_message()) }}
    {%- endif -%}
    {%- set text = raw | string | trim -%}
    {%- if not modules.re.match('^[0-9]{1,6}$', text) -%}
        {{ exceptions.raise_compiler_error("cd1_shard_id: " ~ origin ~ " must be a non-negative integer (your Canvas shard id), got " ~ raw) }}
    {%- endif -%}
    {{ return(text | int) }}
{%- endmacro %}

{% macro cd1_shard_id_missing_message() -%}
    {{ return(
        "No Canvas shard id: set var shard_id (dbt build --vars '{shard_id: N}') or the environment "
        ~ "variable CD2_SHARD_ID. Every CD1 id is shard_id * 10^13 + the local Canvas id (mapping.md "
        ~ "R2), so a wrong shard silently changes every id. Find yours as floor(any id from your CD1 "
        ~ "data / 10^13) (e.g. select floor(id / 10000000000000) from user_dim limit 1), or the same "
        ~ "of a global id the Canvas API returns. The demo and the tests use 1."
    ) }}
{%- endmacro %}

{#- on-run-start: stop any run that has no shard id, before it builds anything. Renders to a no-op
    statement once the shard is known. -#}
{% macro cd1_require_shard_id() -%}
    {%- if execute -%}
        {%- set shard = cd1_shard_id() -%}
    {%- endif -%}
    select 1
{%- endmacro %}
