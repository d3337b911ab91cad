{#- Which rows this run's data tests read: 'changed' (only the rows the newest load changed, in
    models that carry the change marker; see get_where_subquery) or 'all'. Var `test_scope`:
    'auto' (the default) is 'changed' under `--selector refresh`, the production refresh, and
    'all' otherwise; 'changed' or 'all' force it. Any other value fails the run. -#}
{% macro cd2_test_scope() -%}
    {%- set scope = var('test_scope', 'auto') -%}
    {%- if scope not in ['auto', 'changed', 'all'] -%}
        {{ exceptions.raise_compiler_error("var 'test_scope' must be 'auto', 'changed' or 'all', got " ~ scope) }}
    {%- endif -%}
    {%- if scope == 'auto' -%}
        {%- set scope = 'changed' if invocation_args_dict.get('selector') == 'refresh' else 'all' -%}
    {%- endif -%}
    {{ return(scope) }}
{%- endmacro %}
