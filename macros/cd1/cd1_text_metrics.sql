{#- Text metrics CD1 computed over a message (R11): CD2 has only the text, so they are derived here.
    metric (named after the CD1 column suffix):
      size_bytes       bytes of the UTF-8 text
      character_count  characters
      word_count       runs of characters that are neither whitespace nor punctuation
      line_count       newlines + 1 (a non-empty text has at least one line)
    A NULL or empty text counts 0 for every metric (CD1 maps a NULL message to 0). -#}
{% macro cd1_text_metrics(column, metric) -%}
    {%- if column is not string or column | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_text_metrics: argument 'column' must be a SQL expression string, got " ~ column) }}
    {%- endif -%}
    {%- if metric not in ['size_bytes', 'character_count', 'word_count', 'line_count'] -%}
        {{ exceptions.raise_compiler_error("cd1_text_metrics: argument 'metric' must be one of size_bytes, character_count, word_count, line_count; got " ~ metric) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_text_metrics', 'cd2_warehouse')(column, metric)) }}
{%- endmacro %}

{% macro default__cd1_text_metrics(column, metric) -%}
    {%- if metric == 'size_bytes' -%}
    cast(coalesce(octet_length({{ column }}), 0) as {{ dbt.type_int() }})
    {%- elif metric == 'character_count' -%}
    cast(coalesce({{ dbt.length(column) }}, 0) as {{ dbt.type_int() }})
    {%- elif metric == 'line_count' -%}
    {#- coalesce: a NULL text has 0 lines -#}
    cast(coalesce(
        case
            when {{ dbt.length(column) }} > 0
                then {{ dbt.length(column) }} - {{ dbt.length(dbt.replace(column, "chr(10)", "''")) }} + 1
            else 0
        end, 0) as {{ dbt.type_int() }})
    {%- else -%}
    {{ exceptions.raise_compiler_error("cd1_text_metrics: metric '" ~ metric ~ "' has no implementation for adapter " ~ adapter.type()) }}
    {%- endif -%}
{%- endmacro %}

{% macro postgres__cd1_text_metrics(column, metric) -%}
    {%- if metric == 'word_count' -%}
    {#- coalesce: a NULL text has 0 words -#}
    cast(coalesce((
        select count(*)
        from regexp_matches({{ column }}, '[^[:space:][:punct:]]+', 'g')
    ), 0) as {{ dbt.type_int() }})
    {%- else -%}
    {{ default__cd1_text_metrics(column, metric) }}
    {%- endif -%}
{%- endmacro %}
