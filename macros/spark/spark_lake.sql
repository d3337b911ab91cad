{#- Raw data in a lake, registered for Spark (on-run-start): every folder of Parquet files that
    `cd2 load --destination filesystem` wrote under var lake_url (default env CD2_LAKE_URL, else
    .cd2/lake) becomes an external table raw_<ns>.<table> `using parquet location '<folder>'`, with
    schema merging (a later load may add columns), and each namespace's _dlt_loads (dlt's record
    of completed load packages, JSON lines) `using json`. The folders are found by listing the
    lake through Spark itself (the binaryFile source, file names only). A table registered
    before is kept (a new Spark session lists its files afresh); with var lake_reregister true,
    every table is dropped and created again, to pick up columns a later load added (external
    tables keep their files). Nothing on other engines. -#}
{% macro cd2_register_lake() -%}
    {{ return(adapter.dispatch('cd2_register_lake', 'cd2_warehouse')()) }}
{%- endmacro %}

{% macro default__cd2_register_lake() -%}
{%- endmacro %}

{% macro cd2_lake_url() -%}
    {%- set url = var('lake_url', env_var('CD2_LAKE_URL', '.cd2/lake')) -%}
    {%- if url is not string or url | length == 0 or "'" in url -%}
        {{ exceptions.raise_compiler_error("cd2_lake_url: var 'lake_url' must be a folder or bucket URL without quotes, got " ~ url) }}
    {%- endif -%}
    {{ return(url.rstrip('/')) }}
{%- endmacro %}

{% macro spark__cd2_register_lake() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set lake = cd2_lake_url() -%}
    {%- set prefix = var('raw_schema_prefix', 'raw_') -%}
    {%- set listing -%}
        select distinct
            regexp_extract(path, '/({{ prefix }}[a-z_]+)/([A-Za-z0-9_]+)/[^/]+$', 1) as dataset,
            regexp_extract(path, '/({{ prefix }}[a-z_]+)/([A-Za-z0-9_]+)/[^/]+$', 2) as folder,
            case when path like '%.parquet' then 'parquet' else 'json' end as file_format
        from binaryFile.`{{ lake }}/{{ prefix }}*/*/*`
        where path like '%.parquet' or path like '%/_dlt_loads/%.jsonl'
    {%- endset -%}
    {%- set found = run_query(listing) -%}
    {%- set reregister = var('lake_reregister', false) -%}
    {%- set existing = {} -%}
    {%- for dataset in found.columns['dataset'].values() | unique if dataset -%}
        {%- do run_query('create database if not exists ' ~ dataset) -%}
        {%- for table in run_query('show tables in ' ~ dataset).columns['tableName'].values() -%}
            {%- do existing.update({dataset ~ '.' ~ table: true}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for row in found.rows if row['dataset'] and row['folder'] -%}
        {%- set dataset = row['dataset'] -%}
        {%- set folder = row['folder'] -%}
        {%- if reregister or (dataset ~ '.' ~ folder | lower) not in existing -%}
        {%- do run_query('drop table if exists ' ~ dataset ~ '.' ~ folder) -%}
        {%- if row['file_format'] == 'parquet' -%}
            {%- do run_query('create table ' ~ dataset ~ '.' ~ folder ~ " using parquet options (mergeSchema 'true') location '" ~ lake ~ '/' ~ dataset ~ '/' ~ folder ~ "'") -%}
        {%- else -%}
            {%- do run_query('create table ' ~ dataset ~ '.' ~ folder ~ " using json location '" ~ lake ~ '/' ~ dataset ~ '/' ~ folder ~ "'") -%}
        {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
