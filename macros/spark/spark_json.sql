{#- Spark's forms of the cd1_json_* and other CD1 dialect macros (see their generic forms in
    macros/cd1/). JSON travels between macros as JSON text (string); each macro parses it as a
    VARIANT (Spark 4: try_parse_json, try_variant_get, schema_of_variant) where it reaches into
    it, the counterpart of PostgreSQL's jsonb. -#}
{% macro cd2_spark_variant(column, key=none) -%}
    {%- set parsed = "try_parse_json(cast(" ~ column ~ " as string))" -%}
    {%- if key is none -%}
        {{ return(parsed) }}
    {%- endif -%}
    {{ return("try_variant_get(" ~ parsed ~ ", '$[\"" ~ key ~ "\"]', 'variant')") }}
{%- endmacro %}

{% macro cd2_spark_is_scalar(variant) -%}
    {{ return("(schema_of_variant(" ~ variant ~ ") not like 'OBJECT%' and schema_of_variant(" ~ variant ~ ") not like 'ARRAY%' and schema_of_variant(" ~ variant ~ ") <> 'VOID')") }}
{%- endmacro %}

{% macro spark__cd1_json_parse(column) -%}
    (case when {{ cd2_spark_variant(column) }} is not null then cast({{ column }} as string) end)
{%- endmacro %}

{% macro spark__cd1_json_get_value(column, key) -%}
    to_json({{ cd2_spark_variant(column, key) }})
{%- endmacro %}

{% macro spark__cd1_json_get_text(column, key) -%}
    {%- set value = cd2_spark_variant(column, key) -%}
    (case when {{ cd2_spark_is_scalar(value) }} then cast({{ value }} as string) end)
{%- endmacro %}

{% macro spark__cd1_json_get_number(column, key) -%}
    {%- set value = cd2_spark_variant(column, key) -%}
    (case
        when schema_of_variant({{ value }}) rlike '^(BIGINT|INT|SMALLINT|TINYINT|DECIMAL|DOUBLE|FLOAT)'
            then try_cast(cast({{ value }} as string) as double)
        when schema_of_variant({{ value }}) = 'STRING'
            and trim(cast({{ value }} as string)) rlike '^[-+]?([0-9]{1,30}\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]{1,2})?$'
            then cast(trim(cast({{ value }} as string)) as double)
    end)
{%- endmacro %}

{% macro spark__cd1_json_array_rows(column, alias, key) -%}
    {%- set value = cd2_spark_variant(column, key) -%}
    cross join lateral (
        select
            to_json(exploded.col) as element,
            exploded.pos + 1 as ordinal
        from posexplode(try_variant_get({{ value }}, '$', 'array<variant>')) as exploded
    ) as {{ alias }}
{%- endmacro %}

{% macro spark__cd1_json_array_join(column, key, delimiter) -%}
    {%- set value = cd2_spark_variant(column, key) -%}
    {%- set scalars = "filter(try_variant_get(" ~ value ~ ", '$', 'array<variant>'), element -> " ~ cd2_spark_is_scalar('element') ~ ")" -%}
    (case
        when size({{ scalars }}) > 0
            then array_join(transform({{ scalars }}, element -> cast(element as string)), '{{ delimiter }}')
    end)
{%- endmacro %}

{% macro spark__cd1_id_list_rows(column, alias, delimiter) -%}
    cross join lateral (
        select
            cast(trim(token.col) as bigint) as element,
            token.pos + 1 as ordinal
        from posexplode(split({{ column }}, '{{ modules.re.escape(delimiter) | replace("\\", "\\\\") }}')) as token
        where trim(token.col) rlike '^[0-9]{1,18}$'
    ) as {{ alias }}
{%- endmacro %}

{% macro spark__cd1_safe_bigint(column) -%}
    case
        -- at most 18 digits always fits a bigint
        when trim(cast({{ column }} as string)) rlike '^-?[0-9]{1,18}$'
            then cast(trim(cast({{ column }} as string)) as bigint)
    end
{%- endmacro %}

{% macro spark__cd1_surrogate_id(hex_expression) -%}
    cast(conv(substr({{ hex_expression }}, 1, 15), 16, 10) as bigint)
{%- endmacro %}

{% macro spark__cd1_timestamp(column) -%}
    cast({{ column }} as timestamp_ntz)
{%- endmacro %}

{% macro spark__cd1_text_metrics(column, metric) -%}
    {%- if metric == 'word_count' -%}
    {#- not coalesce(size(…), 0): Spark's size of NULL is -1 -#}
    cast(case
        when {{ column }} is null then 0
        else size(regexp_extract_all({{ column }}, '[^\\s\\p{Punct}]+', 0))
    end as int)
    {%- else -%}
    {{ default__cd1_text_metrics(column, metric) }}
    {%- endif -%}
{%- endmacro %}
