{#- BI access to the CD1 star schema: a read-only role (var bi_reader_role, default cd2_bi_reader),
    created when missing by an on-run-start hook and given USAGE on the cd1 schema by an on-run-end
    hook; SELECT on every CD1 table comes from dbt `grants` (dbt_project.yml, marts.cd1). The role
    has no login: grant it to the BI tool's login role (`grant cd2_bi_reader to tableau;`). -#}
{% macro cd1_bi_reader_role() -%}
    {%- set role = var('bi_reader_role', 'cd2_bi_reader') -%}
    {%- if role is not string or not modules.re.match('^[a-z_][a-z0-9_]{0,62}$', role) -%}
        {{ exceptions.raise_compiler_error("cd1_bi_reader_role: var 'bi_reader_role' must be a lower-case SQL identifier (dbt grants it unquoted), got " ~ role) }}
    {%- endif -%}
    {{ return(role) }}
{%- endmacro %}

{% macro cd1_create_bi_reader_role() -%}
    {{ return(adapter.dispatch('cd1_create_bi_reader_role', 'cd2_warehouse')(cd1_bi_reader_role())) }}
{%- endmacro %}

{% macro default__cd1_create_bi_reader_role(role) -%}
    {{ exceptions.raise_compiler_error("cd1_create_bi_reader_role: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro postgres__cd1_create_bi_reader_role(role) -%}
    do $cd1_bi_reader$
    begin
        if not exists (select 1 from pg_catalog.pg_roles where rolname = '{{ role }}') then
            create role {{ role }} nologin;
        end if;
    exception
        when duplicate_object then
            null;  -- created meanwhile by a concurrent run
        when insufficient_privilege then
            raise exception 'cannot create the BI read-only role {{ role }}: ask an administrator to run "create role {{ role }} nologin", or set var bi_reader_role to an existing role';
    end
    $cd1_bi_reader$
{%- endmacro %}

{% macro cd1_grant_bi_reader_usage() -%}
    {%- set schema = generate_schema_name(var('cd1_schema', 'cd1'), none) | trim -%}
    {{ return(adapter.dispatch('cd1_grant_bi_reader_usage', 'cd2_warehouse')(cd1_bi_reader_role(), schema)) }}
{%- endmacro %}

{% macro default__cd1_grant_bi_reader_usage(role, schema) -%}
    {{ exceptions.raise_compiler_error("cd1_grant_bi_reader_usage: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro postgres__cd1_grant_bi_reader_usage(role, schema) -%}
    {#- the schema exists only once a CD1 model has been built -#}
    do $cd1_bi_reader$
    begin
        if exists (select 1 from information_schema.schemata where schema_name = '{{ schema }}') then
            execute 'grant usage on schema ' || quote_ident('{{ schema }}') || ' to {{ role }}';
        end if;
    end
    $cd1_bi_reader$
{%- endmacro %}
