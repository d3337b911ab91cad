{#- A join clause that turns a delimited list of ids held in text (e.g. submissions.attachment_ids,
    "12,34") into rows. Put it right after the FROM item that holds `column`; it adds the relation
    `alias` with columns `element` (the id, bigint) and `ordinal` (1-based position in the list).
    Tokens that are not whole numbers are skipped, so stray text never fails the model. -#}
{% macro cd1_id_list_rows(column, alias, delimiter=',') -%}
    {%- for arg_name, arg in [('column', column), ('alias', alias)] -%}
        {%- if arg is not string or arg | length == 0 -%}
            {{ exceptions.raise_compiler_error("cd1_id_list_rows: argument '" ~ arg_name ~ "' must be a non-empty string, got " ~ arg) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if delimiter is not string or delimiter | length == 0 or "'" in delimiter -%}
        {{ exceptions.raise_compiler_error("cd1_id_list_rows: argument 'delimiter' must be a non-empty string without quotes, got " ~ delimiter) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_id_list_rows', 'cd2_warehouse')(column, alias, delimiter)) }}
{%- endmacro %}

{% macro default__cd1_id_list_rows(column, alias, delimiter) -%}
    {{ exceptions.raise_compiler_error("cd1_id_list_rows: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro postgres__cd1_id_list_rows(column, alias, delimiter) -%}
    cross join lateral (
        select cast(trim(token.value) as bigint) as element, token.ordinal
        from unnest(string_to_array({{ column }}, '{{ delimiter }}')) with ordinality as token(value, ordinal)
        where trim(token.value) ~ '^[0-9]{1,18}$'
    ) as {{ alias }}
{%- endmacro %}
