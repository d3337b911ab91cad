{#- Hooks of an incremental mart (see cd1_incremental.sql); cd1_incremental_config sets them. -#}

{#- Pre-hook SQL: empty the mart before an incremental run whose plan is 'rebuild' (the model's
    SQL then selects everything). Rendered right before it runs, from the same data as the
    model's compile, so both reach the same plan. -#}
{% macro cd1_incremental_reset_sql() -%}
    {%- if not execute or model.resource_type == 'unit_test' or not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- if cd1_incremental_plan().mode != 'rebuild' -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_incremental_empty_sql', 'cd2_warehouse')(this)) }}
{%- endmacro %}

{% macro default__cd1_incremental_empty_sql(relation) -%}
    delete from {{ relation }}
{%- endmacro %}

{% macro postgres__cd1_incremental_empty_sql(relation) -%}
    {#- transactional in PostgreSQL; frees the space at once #}
    truncate table {{ relation }}
{%- endmacro %}

{#- Post-hook SQL: remove the rows of deleted keys (NULL marker: cd1_incremental_deletions). -#}
{% macro cd1_incremental_cleanup_sql() -%}
    {%- if not execute or model.resource_type == 'unit_test' or not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    delete from {{ this }} where _dap_loaded_at is null
{%- endmacro %}
