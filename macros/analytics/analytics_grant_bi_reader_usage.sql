{#- USAGE on the analytics schema for the BI read-only role (var bi_reader_role), the counterpart
    of cd1_grant_bi_reader_usage for the Analytics marts (an on-run-end hook in dbt_project.yml, as
    concurrent GRANTs on one schema collide; SELECT comes from dbt grants). Reuses the CD1
    implementation per adapter; does nothing until the schema exists. -#}
{% macro analytics_grant_bi_reader_usage() -%}
    {%- set schema = generate_schema_name(var('analytics_schema', 'analytics'), none) | trim -%}
    {%- if schema | length == 0 -%}
        {{ exceptions.raise_compiler_error("analytics_grant_bi_reader_usage: var 'analytics_schema' must be a non-empty schema name") }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_grant_bi_reader_usage', 'cd2_warehouse')(cd1_bi_reader_role(), schema)) }}
{%- endmacro %}
