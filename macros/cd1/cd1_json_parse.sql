{#- JSON held in a text column (R13: CD2 serializes context_modules.completion_requirements,
    learning_outcomes.data and others as text) as the warehouse's JSON type, or NULL when the text is
    NULL, empty or not valid JSON, so one malformed row never fails a model. The result can be handed
    to the other cd1_json_* macros. -#}
{% macro cd1_json_parse(column) -%}
    {%- if column is not string or column | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_json_parse: argument 'column' must be a SQL expression string, got " ~ column) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_json_parse', 'cd2_warehouse')(column)) }}
{%- endmacro %}

{% macro default__cd1_json_parse(column) -%}
    {{ exceptions.raise_compiler_error("cd1_json_parse: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{#- PostgreSQL 16+ checks the text with pg_input_is_valid. Older servers (the project supports 14+)
    have no way to catch a parse error in plain SQL, so there only text shaped like a JSON array or
    object is parsed: NULL, empty and non-JSON scalars still give NULL, but text that starts like
    JSON and is broken inside would fail the query. -#}
{% macro postgres__cd1_json_parse(column) -%}
    {%- set text = "cast(" ~ column ~ " as text)" -%}
    {%- set server_version = 160000 -%}
    {%- if execute -%}
        {%- set result = run_query("select cast(current_setting('server_version_num') as integer)") -%}
        {%- set server_version = result.columns[0].values()[0] | int -%}
    {%- endif -%}
    {%- if server_version >= 160000 -%}
    (case when pg_input_is_valid({{ text }}, 'jsonb') then cast({{ text }} as jsonb) end)
    {%- else -%}
    (case when btrim({{ text }}) ~ '^(\[.*\]|\{.*\})$' then cast({{ text }} as jsonb) end)
    {%- endif -%}
{%- endmacro %}
