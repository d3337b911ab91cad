{#- Whether a raw table exists in the warehouse. Institutions load only the tables they need; a
    model over a table never loaded builds empty instead of failing. True while parsing (no
    database then) and inside unit tests (their inputs are fixtures).

    Asks the catalog directly rather than dbt's relation cache: the raw schemas are not dbt's, so
    they are not cached up front, and a cache filled lazily by concurrent threads must never make a
    loaded table look missing (that would build its current state empty). -#}
{% macro cd2_source_exists(relation) -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd2_source_exists', 'cd2_warehouse')(relation)) }}
{%- endmacro %}

{% macro default__cd2_source_exists(relation) -%}
    {%- set query -%}
        select count(*) as found
        from information_schema.tables
        where lower(table_schema) = lower('{{ relation.schema }}')
            and lower(table_name) = lower('{{ relation.identifier }}')
    {%- endset -%}
    {%- set result = run_query(query) -%}
    {{ return(result.columns[0].values()[0] | int > 0) }}
{%- endmacro %}
