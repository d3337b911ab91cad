{#- The pieces an incremental mart's SQL is made of (see cd1_incremental.sql). `plan` is
    cd1_incremental_plan()'s result, computed once at the top of the model. -#}

{#- The changed driving keys as a first CTE, cd1_changed_keys(changed_key), with its trailing
    comma; nothing unless the plan is 'changes'. -#}
{% macro cd1_incremental_ctes(plan) -%}
    {%- if plan.mode != 'changes' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set spec = plan.spec -%}
    {%- set marker = plan.marker -%}
    {%- set parts = [] -%}
    {%- set part -%}
    select changes.{{ adapter.quote(spec.key) }} as changed_key
    from {{ ref(spec.driving) }} as changes
    where changes._dap_loaded_at > {{ marker }}
    {%- endset -%}
    {%- do parts.append(part) -%}
    {%- for parent in spec.parents -%}
        {%- set raw = cd1_incremental_raw_relation(parent.base) if parent.history else none -%}
        {%- set changed_parent -%}
        select changes.{{ adapter.quote(parent.column) }}
            from {{ ref(parent.base) }} as changes
            where changes._dap_loaded_at > {{ marker }}
            {%- if raw is not none %}
            union
            {#- a deleted row's earlier values, from raw (every record ever loaded) #}
            select history.{{ adapter.quote(parent.column) }}
            from {{ raw }} as history
            where history.id in (
                select deleted.id
                from {{ ref(parent.base) }} as deleted
                where deleted._dap_loaded_at > {{ marker }}
                    and deleted.meta_action = 'D'
            )
            {%- endif %}
        {%- endset -%}
        {%- if parent.via -%}
            {%- set ns = namespace(inner=changed_parent) -%}
            {%- for hop in parent.via -%}
                {%- set step -%}
        select hop{{ loop.index }}.{{ adapter.quote(hop[2]) }}
            from {{ ref(hop[0]) }} as hop{{ loop.index }}
            where hop{{ loop.index }}.{{ adapter.quote(hop[1]) }} in (
                {{ ns.inner | indent(8) }}
            )
                {%- endset -%}
                {%- set ns.inner = step -%}
            {%- endfor -%}
            {%- if parent.into -%}
                {#- the hops end at values of a mart column: the mart rows holding them -#}
                {%- set part -%}
    select {{ cd1_incremental_driving_key(spec, 'existing.' ~ adapter.quote(spec.unique_key)) }}
    from {{ this }} as existing
    where existing.{{ adapter.quote(parent.into) }} in (
        select {{ cd1_global_id('reached.' ~ adapter.quote(parent.via[-1][2])) }}
        from (
            {{ ns.inner | trim | indent(12) }}
        ) as reached
    )
                {%- endset -%}
                {%- do parts.append(part) -%}
            {%- else -%}
                {%- do parts.append(ns.inner | trim) -%}
            {%- endif -%}
        {%- endif -%}
        {%- if parent.keys_macro -%}
            {%- set keys_macro = context.get(parent.keys_macro) -%}
            {%- if keys_macro is none -%}
                {{ exceptions.raise_compiler_error("cd1_incremental_ctes: no macro '" ~ parent.keys_macro ~ "' (keys_macro of parent " ~ parent.base ~ ")") }}
            {%- endif -%}
            {%- do parts.append(keys_macro(changed_parent, plan) | trim) -%}
        {%- endif -%}
        {%- if parent.mart_column -%}
            {%- set part -%}
    select {{ cd1_incremental_driving_key(spec, 'existing.' ~ adapter.quote(spec.unique_key)) }}
    from {{ this }} as existing
    where existing.{{ adapter.quote(parent.mart_column) }} in (
        select {{ cd1_global_id('changes.id') }}
        from {{ ref(parent.base) }} as changes
        where changes._dap_loaded_at > {{ marker }}
    )
            {%- endset -%}
            {%- do parts.append(part) -%}
        {%- endif -%}
    {%- endfor %}
cd1_changed_keys as (
    {% for part in parts -%}
    {{ part | trim }}
    {%- if not loop.last %}

    union

    {% endif -%}
    {%- endfor %}
),
{% endmacro %}

{#- `where <driving key> in (the changed keys)` (or `and ...` with keyword='and') when the plan
    is 'changes'; else nothing. -#}
{% macro cd1_incremental_filter(plan, driving_key, keyword='where') -%}
    {%- if driving_key is not string or driving_key | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_incremental_filter: argument 'driving_key' must be a SQL expression, got " ~ driving_key) }}
    {%- endif -%}
    {%- if keyword not in ['where', 'and'] -%}
        {{ exceptions.raise_compiler_error("cd1_incremental_filter: argument 'keyword' must be 'where' or 'and', got " ~ keyword) }}
    {%- endif -%}
    {%- if plan.mode == 'changes' -%}
    {{ keyword }} {{ driving_key }} in (select cd1_changed_keys.changed_key from cd1_changed_keys)
    {%- endif -%}
{%- endmacro %}

{#- After `select * from <relation>`: one row per changed key that no longer gives a row, with
    its mart key and NULL everywhere else, _dap_loaded_at included; delete+insert removes the
    key's old row with it, and the post-hook removes the NULL-marker row. The columns are the
    contract's, in order. The missing keys are a set difference (EXCEPT), which PostgreSQL
    hashes or sorts; a correlated NOT EXISTS against the materialized CTE may be planned as a
    nested loop rescanning it once per changed key when the changed keys are underestimated
    (at --scale xlarge the planner chose a hash anti-join; DECISIONS.md). -#}
{% macro cd1_incremental_deletions(plan, relation='final') -%}
    {%- if plan.mode != 'changes' or model.resource_type == 'unit_test' -%}
        {#- a unit test has no contract to take the columns from -#}
        {{ return('') }}
    {%- endif -%}
    {%- set spec = plan.spec -%}
    {%- set mart_key = cd1_incremental_unique_key(spec, 'changed.changed_key') -%}
    {%- set columns = [] -%}
    {%- for column in model.columns.values() -%}
        {%- if column.name == spec.unique_key -%}
            {%- do columns.append('cast(missing.missing_key as ' ~ column.data_type ~ ') as ' ~ adapter.quote(column.name)) -%}
        {%- else -%}
            {%- do columns.append('cast(null as ' ~ column.data_type ~ ') as ' ~ adapter.quote(column.name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if spec.unique_key not in model.columns or '_dap_loaded_at' not in model.columns -%}
        {{ exceptions.raise_compiler_error("cd1_incremental_deletions: the contract of " ~ model.name ~ " must list " ~ spec.unique_key ~ " and _dap_loaded_at") }}
    {%- endif %}

union all

select
    {{ columns | join(',\n    ') }}
from (
    select {{ mart_key }} as missing_key
    from cd1_changed_keys as changed
    except
    select kept.{{ adapter.quote(spec.unique_key) }}
    from {{ relation }} as kept
) as missing
{%- endmacro %}

{#- The mart key of a driving key expression, and back. -#}
{% macro cd1_incremental_unique_key(spec, expression) -%}
    {%- if spec.unique_key_sql -%}
        {{ return(spec.unique_key_sql | replace('{}', expression)) }}
    {%- endif -%}
    {{ return(cd1_global_id(expression)) }}
{%- endmacro %}

{% macro cd1_incremental_driving_key(spec, expression) -%}
    {%- if spec.driving_key_sql -%}
        {{ return(spec.driving_key_sql | replace('{}', expression)) }}
    {%- endif -%}
    {{ return(cd1_local_id(expression)) }}
{%- endmacro %}

{#- The current rows of a staging model with their loader stamp: staging.* plus _dap_loaded_at
    of the base model's row of the same key (staging is its base without tombstones and without
    the loader's columns). -#}
{% macro cd1_marked(staging, base, key='id') -%}
    {%- if staging is string or staging is none or base is string or base is none -%}
        {{ exceptions.raise_compiler_error("cd1_marked: arguments 'staging' and 'base' must be ref()s, got " ~ staging ~ ", " ~ base) }}
    {%- endif -%}
    select
        current_rows.*,
        loaded._dap_loaded_at
    from {{ staging }} as current_rows
    left join {{ base }} as loaded
        on loaded.{{ adapter.quote(key) }} = current_rows.{{ adapter.quote(key) }}
{%- endmacro %}

{#- The mart row's marker: the greatest _dap_loaded_at of the rows it was built from (relation
    aliases, or dotted column names; the first is the driving one, never NULL); a parent that did not join counts as
    nothing (dispatched: PostgreSQL's greatest skips NULLs, the default coalesces each with the
    first). -#}
{% macro cd1_marker(relations) -%}
    {%- if relations is string or relations is not iterable or relations | length == 0 -%}
        {{ exceptions.raise_compiler_error("cd1_marker: argument 'relations' must be a non-empty list of relation aliases, got " ~ relations) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cd1_marker', 'cd2_warehouse')(relations)) }}
{%- endmacro %}

{#- an alias stands for its _dap_loaded_at; a dotted name is a column as it is -#}
{% macro cd1_marker_column(relation) -%}
    {{ return(relation if '.' in relation else relation ~ '._dap_loaded_at') }}
{%- endmacro %}

{% macro default__cd1_marker(relations) -%}
    {%- set first = cd1_marker_column(relations[0]) -%}
    {%- if relations | length == 1 -%}
        {{ return(first) }}
    {%- endif -%}
    {%- set parts = [first] -%}
    {%- for relation in relations[1:] -%}
        {%- do parts.append('coalesce(' ~ cd1_marker_column(relation) ~ ', ' ~ first ~ ')') -%}
    {%- endfor -%}
    greatest({{ parts | join(', ') }})
{%- endmacro %}

{% macro postgres__cd1_marker(relations) -%}
    {%- if relations | length == 1 -%}
        {{ return(cd1_marker_column(relations[0])) }}
    {%- endif -%}
    greatest({% for relation in relations %}{{ cd1_marker_column(relation) }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- The raw table (source) a base model reads, or none (unit tests, no such source). -#}
{% macro cd1_incremental_raw_relation(base_name) -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set node = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', base_name) | first -%}
    {%- for source_id in (node.depends_on.nodes if node else []) if source_id.startswith('source.') -%}
        {%- set source_node = graph.sources.get(source_id) -%}
        {%- set raw = api.Relation.create(database=source_node.database, schema=source_node.schema, identifier=source_node.identifier) -%}
        {%- if cd2_source_exists(raw) -%}
            {{ return(raw) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{#- A keys_macro for a parent whose `column` holds driving keys as they are (no hop: a hop over a
    table would drop keys that table lacks, e.g. a message participant row naming a message that
    is not loaded). -#}
{% macro cd1_incremental_keys_direct(changed, plan) -%}
    select direct.* from (
        {{ changed | trim | indent(8) }}
    ) as direct
{%- endmacro %}
