{#- A select statement over `relation` with one row per `group_by` group: value_count, min_value,
    first_quartile, median, third_quartile and max_value of the non-NULL values of `value`.

    Quartiles follow the Analytics API (Canvas' Stats::Counter#quartiles): for n sorted values
    x_1..x_n, quartile p (0.25, 0.5, 0.75) sits at the 1-based position h = (n + 1) * p, clamped
    into [1, n], interpolated linearly between x_floor(h) and x_floor(h)+1. The median is the usual
    one; the first and third quartiles are the "exclusive" (Weibull) ones, not percentile_cont's
    (n - 1) * p + 1. One value gives that value three times.

    postgres: percentile_cont with a per-group fraction that moves its position onto h; default
    (any engine with window functions): rank the values and weigh the two neighbours. Both give the
    same numbers (tests/dbt/analytics/assert_quartiles_portable_matches_postgres.sql). -#}
{% macro analytics_quartiles(relation, group_by, value) -%}
    {%- if relation is none or (relation is string and relation | length == 0) -%}
        {{ exceptions.raise_compiler_error("analytics_quartiles: argument 'relation' must be a relation or a CTE name, got " ~ relation) }}
    {%- endif -%}
    {%- if group_by is string or group_by is not iterable or group_by | length == 0 -%}
        {{ exceptions.raise_compiler_error("analytics_quartiles: argument 'group_by' must be a non-empty list of column names, got " ~ group_by) }}
    {%- endif -%}
    {%- if value is not string or value | length == 0 -%}
        {{ exceptions.raise_compiler_error("analytics_quartiles: argument 'value' must be a column name or SQL expression string, got " ~ value) }}
    {%- endif -%}
    {{ return(adapter.dispatch('analytics_quartiles', 'cd2_warehouse')(relation, group_by, value)) }}
{%- endmacro %}

{#- 1-based position of quartile p among n values, clamped into [1, n] -#}
{% macro analytics_quartile_position(count_column, p) -%}
    case
        when ({{ count_column }} + 1) * {{ p }} < 1 then 1.0
        when ({{ count_column }} + 1) * {{ p }} > {{ count_column }} then {{ count_column }} * 1.0
        else ({{ count_column }} + 1) * {{ p }}
    end
{%- endmacro %}

{% macro default__analytics_quartiles(relation, group_by, value) -%}
    {%- set keys = group_by | join(', ') -%}
    {%- set quartiles = [('first_quartile', 0.25), ('median', 0.5), ('third_quartile', 0.75)] -%}
    select
        {{ keys }},
        value_count,
        min(quartile_value) as min_value,
        {%- for name, p in quartiles %}
        {%- set h = analytics_quartile_position('value_count', p) %}
        sum(
            case
                when value_rank = floor({{ h }}) then quartile_value * (1 - ({{ h }} - floor({{ h }})))
                when value_rank = floor({{ h }}) + 1 then quartile_value * ({{ h }} - floor({{ h }}))
                else 0
            end
        ) as {{ name }},
        {%- endfor %}
        max(quartile_value) as max_value
    from (
        select
            {{ keys }},
            cast({{ value }} as {{ dbt.type_float() }}) as quartile_value,
            row_number() over (partition by {{ keys }} order by {{ value }}) as value_rank,
            count(*) over (partition by {{ keys }}) as value_count
        from {{ relation }}
        where {{ value }} is not null
    ) as ranked
    group by {{ keys }}, value_count
{%- endmacro %}

{% macro postgres__analytics_quartiles(relation, group_by, value) -%}
    {%- set keys = group_by | join(', ') -%}
    {%- set quartiles = [('first_quartile', 0.25), ('median', 0.5), ('third_quartile', 0.75)] -%}
    select
        {{ keys }},
        value_count,
        min(quartile_value) as min_value,
        {%- for name, p in quartiles %}
        {#- percentile_cont(f) sits at 1 + f * (n - 1): f = (h - 1) / (n - 1) puts it at h #}
        percentile_cont(
            case
                when value_count = 1 then 0.0
                else ({{ analytics_quartile_position('value_count', p) }} - 1) / (value_count - 1)
            end
        ) within group (order by quartile_value) as {{ name }},
        {%- endfor %}
        max(quartile_value) as max_value
    from (
        select
            {{ keys }},
            cast({{ value }} as {{ dbt.type_float() }}) as quartile_value,
            count(*) over (partition by {{ keys }}) as value_count
        from {{ relation }}
        where {{ value }} is not null
    ) as counted
    group by {{ keys }}, value_count
{%- endmacro %}
