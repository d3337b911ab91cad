{#-
    Incremental CD1 marts: the framework (issue 13; DECISIONS.md "Incremental marts").

    A mart that grows with enrollment or activity is built from one DRIVING table (one mart row
    per current driving row: submissions for submission_fact) joined to PARENT tables (courses,
    assignments, ...). Its last column, _dap_loaded_at, is the greatest loader stamp
    (_dap_loaded_at) of the rows it was built from (cd1_marker), so it is data-derived: a rebuild
    from raw gives the same value, and the highest one in the mart (M) says which changes were
    processed. An incremental run:
      - finds the changed driving keys (cd1_incremental_ctes): driving rows loaded after M (new,
        updated, delete tombstones: base models keep them), driving rows that join to a parent row
        loaded after M (a course that moved term: through the `via` hops), and mart rows that
        referred to such a parent by an older version of it (`mart_column`: a quiz moved to
        another assignment leaves the old assignment's submissions);
      - recomputes the mart rows of just those keys (cd1_incremental_filter on the driving key),
        and for a key that no longer gives a row (deleted, filtered out) emits a row with a NULL
        _dap_loaded_at (cd1_incremental_deletions); dbt's delete+insert on unique_key replaces
        the keys' old rows, and the post-hook deletes the NULL-marker rows again;
      - rebuilds entirely when a table it reads was replaced by a newer snapshot (a key missing
        from a snapshot leaves no tombstone): the plan (cd1_incremental_plan) then compiles the
        full select and the pre-hook empties the mart (cd1_incremental_reset_sql). Also when the
        mart has no marker yet (empty, or built by a version without the column).
    The spec (a dict, validated by cd1_incremental_config, documented in _cd1__macros.yml):
      unique_key      the mart's key column (e.g. submission_id)
      driving         the driving table's base model (e.g. base_canvas__submissions)
      key             its key column (default id)
      unique_key_sql  template of the mart key from a driving key, '{}' for the key expression
                      (default: cd1_global_id)
      driving_key_sql template of the driving key from a mart key (default: cd1_local_id)
      parents         list of dicts: base (base model), column (the parent's column that the
                      path starts from, default id), via (hops [model, match_column,
                      output_column = id] from those values to driving keys; output of the last
                      hop is the driving key), mart_column (mart column holding
                      cd1_global_id(parent key): rows that referred to a changed parent),
                      rebuild (true: any change of this parent rebuilds the mart; for small
                      lookups whose changes fan out to everything anyway), keys_macro (name of a
                      macro(changed, plan) returning a select of driving keys from `changed`, a
                      select of the parent's changed `column` values: for paths no hop list says),
                      history (true: a deleted parent row also gives every `column` value its
                      raw table ever held for that key: a delete tombstone carries no values, and
                      a parent pointing at the driving table (rubric assessment -> submission)
                      must find the rows it used to reach),
                      into (with `via`: the last hop's output is not a driving key but the value
                      of this mart column, as cd1_global_id(value): the mart rows that hold it
                      are recomputed; for a parent reached through a link the mart stores (a
                      group's course: courses -> groups.context_id, into group_id))
    No state outside the mart: no side tables. The strategy is delete+insert on PostgreSQL
    (cd1_incremental_strategy, dispatched: an engine without it brings its own).
-#}

{#- The config of an incremental mart: pass it to config(); it also registers the models the
    change detection reads as dependencies (a ref() inside is_incremental() is not seen while
    parsing). -#}
{% macro cd1_incremental_config(spec, extra={}) -%}
    {%- set spec = cd1_incremental_spec(spec) -%}
    {%- for name in cd1_incremental_models(spec) -%}
        {%- set _ = ref(name) -%}
    {%- endfor -%}
    {%- set post_hook = [
        "{{ cd1_incremental_cleanup_sql() }}",
        "{{ cd1_create_index(this, ['" ~ spec.unique_key ~ "']) }}",
        "{{ cd1_create_index(this, ['_dap_loaded_at']) }}",
    ] -%}
    {%- for column in (spec.parents | map(attribute='mart_column') | list + spec.parents | map(attribute='into') | list) | unique
        if column and column != spec.unique_key -%}
        {%- do post_hook.append("{{ cd1_create_index(this, ['" ~ column ~ "']) }}") -%}
    {%- endfor -%}
    {%- set settings = {
        'materialized': 'incremental',
        'unique_key': spec.unique_key,
        'incremental_strategy': cd1_incremental_strategy(),
        'on_schema_change': 'append_new_columns',
        'meta': {'cd1_incremental': spec},
        'pre_hook': ["{{ cd1_incremental_reset_sql() }}"],
        'post_hook': post_hook + (extra.get('post_hook', [])),
    } -%}
    {{ return(settings) }}
{%- endmacro %}

{#- The spec with defaults filled in; a bad one fails at compile time naming what is wrong. -#}
{% macro cd1_incremental_spec(spec) -%}
    {%- if spec is not mapping -%}
        {{ exceptions.raise_compiler_error("cd1_incremental_config: argument 'spec' must be a dict, got " ~ spec) }}
    {%- endif -%}
    {%- for required in ['unique_key', 'driving'] -%}
        {%- if spec.get(required) is not string or spec.get(required) | length == 0 -%}
            {{ exceptions.raise_compiler_error("cd1_incremental_config: spec '" ~ required ~ "' must be a non-empty string, got " ~ spec.get(required)) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set known = ['unique_key', 'driving', 'key', 'unique_key_sql', 'driving_key_sql', 'parents'] -%}
    {%- for name in spec if name not in known -%}
        {{ exceptions.raise_compiler_error("cd1_incremental_config: unknown spec key '" ~ name ~ "' (known: " ~ known | join(', ') ~ ")") }}
    {%- endfor -%}
    {%- set parents = [] -%}
    {%- for parent in spec.get('parents', []) -%}
        {%- if parent is not mapping or parent.get('base') is not string -%}
            {{ exceptions.raise_compiler_error("cd1_incremental_config: each of spec 'parents' must be a dict with a 'base' model name, got " ~ parent) }}
        {%- endif -%}
        {%- set parent_keys = ['base', 'column', 'via', 'mart_column', 'rebuild', 'keys_macro', 'history', 'into'] -%}
        {%- for name in parent if name not in parent_keys -%}
            {{ exceptions.raise_compiler_error("cd1_incremental_config: unknown key '" ~ name ~ "' in parent " ~ parent.base ~ " (known: " ~ parent_keys | join(', ') ~ ")") }}
        {%- endfor -%}
        {%- set hops = [] -%}
        {%- for hop in parent.get('via', []) -%}
            {%- if hop is string or hop is not iterable or hop | length not in [2, 3] -%}
                {{ exceptions.raise_compiler_error("cd1_incremental_config: a hop of parent " ~ parent.base ~ " must be [model, match_column] or [model, match_column, output_column], got " ~ hop) }}
            {%- endif -%}
            {%- do hops.append([hop[0], hop[1], hop[2] if hop | length == 3 else 'id']) -%}
        {%- endfor -%}
        {%- if parent.get('into') and (not hops or parent.get('into') is not string) -%}
            {{ exceptions.raise_compiler_error("cd1_incremental_config: 'into' of parent " ~ parent.base ~ " must be a mart column name and needs 'via' hops, got " ~ parent.get('into')) }}
        {%- endif -%}
        {%- if not hops and not parent.get('mart_column') and not parent.get('rebuild') and not parent.get('keys_macro') -%}
            {{ exceptions.raise_compiler_error("cd1_incremental_config: parent " ~ parent.base ~ " needs 'via' hops, a 'mart_column', a 'keys_macro' or 'rebuild: true' (how its changes reach driving keys)") }}
        {%- endif -%}
        {%- do parents.append({
            'base': parent.base,
            'column': parent.get('column', 'id'),
            'via': hops,
            'mart_column': parent.get('mart_column'),
            'rebuild': parent.get('rebuild', false),
            'keys_macro': parent.get('keys_macro'),
            'history': parent.get('history', false),
            'into': parent.get('into'),
        }) -%}
    {%- endfor -%}
    {{ return({
        'unique_key': spec.unique_key,
        'driving': spec.driving,
        'key': spec.get('key', 'id'),
        'unique_key_sql': spec.get('unique_key_sql'),
        'driving_key_sql': spec.get('driving_key_sql'),
        'parents': parents,
    }) }}
{%- endmacro %}

{#- Every model the change detection reads (names). -#}
{% macro cd1_incremental_models(spec) -%}
    {%- set names = [spec.driving] -%}
    {%- for parent in spec.parents -%}
        {%- do names.append(parent.base) -%}
        {%- for hop in parent.via -%}
            {%- do names.append(hop[0]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(names | unique | list) }}
{%- endmacro %}

{#- The incremental strategy of the marts (dispatched: an engine without delete+insert names its
    own; cd1_incremental_cleanup_sql's delete then runs after it). -#}
{% macro cd1_incremental_strategy() -%}
    {{ return(adapter.dispatch('cd1_incremental_strategy', 'cd2_warehouse')()) }}
{%- endmacro %}

{% macro default__cd1_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{#- The running model's spec (its meta, set by cd1_incremental_config): for the hooks. -#}
{% macro cd1_incremental_current_spec() -%}
    {%- set spec = (config.get('meta') or {}).get('cd1_incremental') -%}
    {%- if spec is none -%}
        {{ exceptions.raise_compiler_error("cd1 incremental macros: model " ~ this ~ " has no cd1_incremental spec (config(cd1_incremental_config(spec)))") }}
    {%- endif -%}
    {{ return(spec) }}
{%- endmacro %}
