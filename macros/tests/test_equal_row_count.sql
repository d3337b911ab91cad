{#- The model has as many rows as `compare_model` (only its rows matching `compare_where`, when
    given): a mart with one row per row of its source. Returns one row, both counts, when they
    differ. It counts whole tables, so the refresh selector leaves it to the nightly build. -#}
{% test equal_row_count(model, compare_model, compare_where=none) %}
    {%- if compare_model is none or compare_model is string and compare_model | trim | length == 0 -%}
        {{ exceptions.raise_compiler_error("equal_row_count: argument 'compare_model' must name a model, e.g. ref('stg_canvas__users')") }}
    {%- endif -%}
    {%- if compare_where is not none and (compare_where is not string or compare_where | trim | length == 0) -%}
        {{ exceptions.raise_compiler_error("equal_row_count: argument 'compare_where' must be a non-empty SQL condition, got " ~ compare_where) }}
    {%- endif %}
with

tested as (
    select count(*) as row_count from {{ model }}
),

compared as (
    select count(*) as row_count from {{ compare_model }}
    {%- if compare_where is not none %}
    where {{ compare_where }}
    {%- endif %}
)

select
    tested.row_count as model_rows,
    compared.row_count as compare_rows
from tested
cross join compared
where tested.row_count <> compared.row_count
{% endtest %}
