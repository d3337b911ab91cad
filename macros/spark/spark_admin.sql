{#- Spark's forms of the PostgreSQL administration hooks: a Hive metastore has no roles or
    grants (access is the cluster's business: Unity Catalog, Lake Formation, Ranger), so the BI
    reader role, its USAGE and the models' SELECT grants are nothing on Spark. -#}
{% macro spark__cd1_create_bi_reader_role(role) -%}
{%- endmacro %}

{% macro spark__cd1_grant_bi_reader_usage(role, schema) -%}
{%- endmacro %}

{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}

{#- Whether a raw table exists: Spark has no information_schema; ask the catalog. -#}
{% macro spark__cd2_source_exists(relation) -%}
    {%- set databases = run_query("show databases like '" ~ relation.schema ~ "'") -%}
    {%- if databases.rows | length == 0 -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set tables = run_query("show tables in " ~ relation.schema ~ " like '" ~ relation.identifier ~ "'") -%}
    {{ return(tables.rows | length > 0) }}
{%- endmacro %}

{#- cd2_load_tracking without information_schema: both relations exist and have load_id. -#}
{% macro spark__cd2_load_tracking(sync_log, loads) -%}
    {%- for relation in [sync_log, loads] -%}
        {%- if not cd2_source_exists(relation) -%}
            {{ return(false) }}
        {%- endif -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- if 'load_id' not in names -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}
