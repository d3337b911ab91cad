{#- Post-hook SQL of cd2_current_state, outside the transaction: table maintenance after a run
    that built the table anew (first build, --full-refresh). On PostgreSQL a VACUUM marks the
    pages all-visible, so the next incremental run counts the boundary job's stored rows by an
    index-only scan, and ANALYZE gives the planner the new table's statistics before the models
    that read it run (a fresh table has none). Autovacuum would get there too, but only at its
    next visit. Incremental runs
    skip it (VACUUM would scan every index for the rows the merge replaced, while the boundary job
    is small). Nothing on engines without VACUUM. Measurements: DECISIONS.md. -#}
{% macro cd2_current_state_maintenance_sql(relation) -%}
    {%- if is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd2_current_state_maintenance_sql', 'cd2_warehouse')(relation)) }}
{%- endmacro %}

{% macro default__cd2_current_state_maintenance_sql(relation) -%}
{%- endmacro %}

{% macro postgres__cd2_current_state_maintenance_sql(relation) -%}
    vacuum analyze {{ relation }}
{%- endmacro %}
