{#- The checks combined_checks runs for a model, read from dbt's `graph` at run time: one per
    enabled not_null, unique, unique_combination_of_columns, no_deleted_keys and
    analytics_accepted_range test attached to the model (the per-column tests the YAML declares,
    the only source of truth), each a dict: check_name, columns (the SQL column expressions the
    test used), label (the column name(s) for the report), severity ('error' or 'warn'), for
    no_deleted_keys base_relation and base_column, for analytics_accepted_range min_value and
    max_value. Identical checks count once, with the stricter severity. A test with a `where`,
    `limit`, `fail_calc`, `warn_if` or `error_if` of its own cannot be folded into one query: the
    run fails at compile time naming it; so does a model with no such test. -#}
{% macro cd2_combined_checks_of(model_id) -%}
    {%- set combined = ['not_null', 'unique', 'unique_combination_of_columns', 'no_deleted_keys', 'analytics_accepted_range'] -%}
    {%- set checks = [] -%}
    {%- set seen = {} -%}
    {%- for test in graph.nodes.values() | selectattr('resource_type', 'equalto', 'test')
            | selectattr('attached_node', 'equalto', model_id) | sort(attribute='unique_id') -%}
        {%- set meta = test.test_metadata or {} -%}
        {%- if meta.get('name') in combined and test.config.enabled -%}
            {%- set cfg = test.config -%}
            {%- if cfg.where or cfg.limit or cfg.fail_calc != 'count(*)'
                    or cfg.warn_if | trim != '!= 0' or cfg.error_if | trim != '!= 0' -%}
                {{ exceptions.raise_compiler_error("combined_checks: test '" ~ test.name ~ "' of " ~ model_id ~ " sets where, limit, fail_calc, warn_if or error_if, which one combined query cannot honour; remove that config or leave the test out of the refresh's combined check") }}
            {%- endif -%}
            {%- set kwargs = meta.kwargs or {} -%}
            {%- if meta.name == 'unique_combination_of_columns' -%}
                {%- set columns = kwargs.combination_of_columns -%}
            {%- else -%}
                {%- set columns = [kwargs.column_name] -%}
            {%- endif -%}
            {%- set check = {
                'check_name': meta.name,
                'columns': columns,
                'label': (columns | join(', ')) | replace('"', '') | replace('`', '') | replace("'", "''"),
                'severity': cfg.severity | lower,
                'base_relation': none,
                'base_column': none,
                'min_value': kwargs.get('min_value'),
                'max_value': kwargs.get('max_value'),
            } -%}
            {%- if meta.name == 'no_deleted_keys' -%}
                {%- set bases = test.depends_on.nodes | reject('equalto', model_id) | list -%}
                {%- if bases | length != 1 or bases[0] not in graph.nodes -%}
                    {{ exceptions.raise_compiler_error("combined_checks: cannot tell the base model of test '" ~ test.name ~ "'") }}
                {%- endif -%}
                {%- do check.update({'base_relation': graph.nodes[bases[0]].relation_name, 'base_column': kwargs.column_name}) -%}
            {%- endif -%}
            {%- set key = [check.check_name, columns | join('|'), check.base_relation, check.min_value, check.max_value] | join('|') -%}
            {%- if key in seen -%}
                {%- if check.severity == 'error' -%}
                    {%- do seen[key].update({'severity': 'error'}) -%}
                {%- endif -%}
            {%- else -%}
                {%- do seen.update({key: check}) -%}
                {%- do checks.append(check) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not checks -%}
        {{ exceptions.raise_compiler_error("combined_checks: " ~ model_id ~ " has no not_null, unique, unique_combination_of_columns, no_deleted_keys or analytics_accepted_range test to combine; remove its combined_checks") }}
    {%- endif -%}
    {{ return(checks) }}
{%- endmacro %}
