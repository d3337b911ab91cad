{#- Load markers of incremental CD1 marts. A CD1 table cannot carry a bookkeeping column (its
    contract is the CD1 column list), so the highest load marker (the loader's _dap_job_seq) an
    incremental mart has processed is kept in a small table, cd1_load_markers, in the intermediate
    schema, one row per model. cd1_load_marker(model_name) is the SQL expression for the stored
    marker (-1 when there is none yet, which reprocesses everything: safe); the model's post-hook
    cd1_save_load_marker(model_name, marker_sql) stores the new one in the same transaction. -#}
{% macro cd1_load_marker_relation() -%}
    {#- the intermediate layer's schema (dbt_project.yml: models.intermediate +schema) -#}
    {{ return(api.Relation.create(
        database=target.database,
        schema=generate_schema_name('cd1_int', none) | trim,
        identifier='cd1_load_markers',
    )) }}
{%- endmacro %}

{% macro cd1_load_marker(model_name) -%}
    {%- if model_name is not string or model_name | length == 0 or "'" in model_name -%}
        {{ exceptions.raise_compiler_error("cd1_load_marker: argument 'model_name' must be a model name, got " ~ model_name) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_load_marker', 'cd2_warehouse')(model_name)) }}
{%- endmacro %}

{% macro default__cd1_load_marker(model_name) -%}
    {%- set markers = cd1_load_marker_relation() -%}
    {%- if not execute or load_relation(markers) is none -%}
        cast(-1 as {{ dbt.type_bigint() }})
    {%- else -%}
        (select coalesce(max(job_seq), -1) from {{ markers }} where model_name = '{{ model_name }}')
    {%- endif -%}
{%- endmacro %}

{% macro cd1_save_load_marker(model_name, marker_sql) -%}
    {%- if model_name is not string or model_name | length == 0 or "'" in model_name -%}
        {{ exceptions.raise_compiler_error("cd1_save_load_marker: argument 'model_name' must be a model name, got " ~ model_name) }}
    {%- endif -%}
    {%- if marker_sql is not string or marker_sql | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_save_load_marker: argument 'marker_sql' must be a SQL expression string, got " ~ marker_sql) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_save_load_marker', 'cd2_warehouse')(model_name, marker_sql)) }}
{%- endmacro %}

{% macro default__cd1_save_load_marker(model_name, marker_sql) -%}
    {%- set markers = cd1_load_marker_relation() -%}
    create schema if not exists {{ markers.include(database=false, identifier=false) }};
    create table if not exists {{ markers }} (
        model_name varchar(256) not null,
        job_seq {{ dbt.type_bigint() }} not null,
        saved_at {{ dbt.type_timestamp() }} not null
    );
    delete from {{ markers }} where model_name = '{{ model_name }}';
    insert into {{ markers }} (model_name, job_seq, saved_at)
    select '{{ model_name }}', coalesce(({{ marker_sql }}), -1), {{ dbt.current_timestamp() }}
{%- endmacro %}
