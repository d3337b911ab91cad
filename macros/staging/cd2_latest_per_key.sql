{#- The latest record per key: highest meta_ts, then highest change order (the loader's strict
    order of records, which breaks meta_ts ties and orders duplicates). -#}
{% macro cd2_latest_per_key(relation, key) -%}
    {%- if key is not string or key | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd2_latest_per_key: argument 'key' must be a column name, got " ~ key) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd2_latest_per_key', 'cd2_warehouse')(relation, key)) }}
{%- endmacro %}

{% macro postgres__cd2_latest_per_key(relation, key) -%}
    select distinct on ({{ adapter.quote(key) }}) *
    from {{ relation }}
    order by {{ adapter.quote(key) }}, meta_ts desc, _dap_change_order desc
{%- endmacro %}

{% macro default__cd2_latest_per_key(relation, key) -%}
    {#- Engines without DISTINCT ON: rank, then keep rank 1. The rank column stays in the output
        (as _dap_version_rank, always 1) so that no column list is needed here. -#}
    select *
    from (
        select
            ranked_source.*,
            row_number() over (
                partition by {{ adapter.quote(key) }}
                order by meta_ts desc, _dap_change_order desc
            ) as _dap_version_rank
        from {{ relation }} as ranked_source
    ) as ranked
    where _dap_version_rank = 1
{%- endmacro %}
