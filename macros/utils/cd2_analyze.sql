{#- Post-hook SQL refreshing the planner's statistics of a table dbt just built, so that the
    models built next from it in the same run are planned from its real row counts and distinct
    values instead of defaults (a fresh table has none until autovacuum gets to it). Engines
    without such statistics (or with automatic ones) get a no-op statement. -#}
{% macro cd2_analyze(relation) -%}
    {%- if relation is none or relation is string -%}
        {{ exceptions.raise_compiler_error("cd2_analyze: argument 'relation' must be a relation (e.g. this), got " ~ relation) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd2_analyze', 'cd2_warehouse')(relation)) }}
{%- endmacro %}

{% macro default__cd2_analyze(relation) -%}
    select 1
{%- endmacro %}

{% macro postgres__cd2_analyze(relation) -%}
    analyze {{ relation }}
{%- endmacro %}
