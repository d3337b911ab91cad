{#- The portable quartiles (default__analytics_quartiles: row_number and count windows) equal the
    adapter's own implementation (on PostgreSQL percentile_cont with a per-group fraction) on every
    assignment's scores and on small hand-made groups of 1, 2, 3 and 6 values that exercise the
    clamping. Returns the groups where a statistic differs by more than 1e-9 or exists on one side
    only. On an adapter without its own implementation both sides are the same macro. -#}
with

scored as (
    select
        assignment_id as group_id,
        score as value
    from {{ ref('int_submissions_classified_by_tardiness') }}

    union all

    select
        cast(-1 * group_id as {{ dbt.type_bigint() }}) as group_id,
        cast(value as {{ dbt.type_float() }}) as value
    from (
        select 1 as group_id, 5.0 as value
        union all select 2, 1.0 union all select 2, 4.0
        union all select 3, 2.0 union all select 3, 2.0 union all select 3, 9.0
        union all select 6, 6.0 union all select 6, 1.0 union all select 6, 5.0
        union all select 6, 2.0 union all select 6, 4.0 union all select 6, 3.0
    ) as hand_made
),

adapter_quartiles as (
    {{ analytics_quartiles('scored', ['group_id'], 'value') }}
),

portable_quartiles as (
    {{ default__analytics_quartiles('scored', ['group_id'], 'value') }}
),

compared as (
    select
        coalesce(adapter_quartiles.group_id, portable_quartiles.group_id) as group_id,
        adapter_quartiles.value_count as adapter_count,
        portable_quartiles.value_count as portable_count,
        {%- for column in ['min_value', 'first_quartile', 'median', 'third_quartile', 'max_value'] %}
        abs(adapter_quartiles.{{ column }} - portable_quartiles.{{ column }}) as {{ column }}_difference{{ "," if not loop.last }}
        {%- endfor %}
    from adapter_quartiles
    full outer join portable_quartiles
        on portable_quartiles.group_id = adapter_quartiles.group_id
)

select *
from compared
where adapter_count is null
    or portable_count is null
    or adapter_count <> portable_count
    {%- for column in ['min_value', 'first_quartile', 'median', 'third_quartile', 'max_value'] %}
    or {{ column }}_difference > 1e-9
    {%- endfor %}
