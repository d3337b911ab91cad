{#- The graph node of the model a generic test tests, when `relation` is that model's relation:
    the test node's attached model; else none (a source, a test without one). -#}
{% macro cd2_tested_node(relation) -%}
    {%- set test_node = cd2_test_node() -%}
    {%- set tested_id = test_node.get('attached_node') if test_node is mapping else none -%}
    {%- if not tested_id or tested_id not in graph.nodes -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tested = graph.nodes[tested_id] -%}
    {%- if (tested.alias or '') | lower != (relation.identifier or '') | lower
            or (tested.schema or '') | lower != (relation.schema or '') | lower -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(tested) }}
{%- endmacro %}

{#- Whether a model's relation carries the loader's change marker `_dap_loaded_at`, from the
    graph: true for a base model (cd2_current_state) or a model whose YAML documents the column
    (the incremental marts and intermediates, whose contracts list it); false for a staging view
    (cd2_staging drops it) or a model whose enforced contract does not list it; none when the
    graph cannot tell (the caller asks the catalog). -#}
{% macro cd2_node_has_marker(node) -%}
    {%- if 'cd2_current_state(' in (node.raw_code or '') or '_dap_loaded_at' in (node.columns or {}) -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set contract = (node.config or {}).get('contract') or {} -%}
    {%- if 'cd2_staging(' in (node.raw_code or '') or contract.get('enforced') -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- Where the changed rows of a model without the change marker can be read, for
    get_where_subquery: when the tested model (a graph node) is a staging view made by
    cd2_staging over one base model that carries the marker, a dict of the base model's
    `relation` (its quoted name) and its `key` (quoted; cd2_staging keeps every column but the
    loader's, so the view has it); else none. The view's rows that the newest load changed are
    those whose key is among the base model's rows with `_dap_loaded_at` at or after that load's
    start. -#}
{% macro cd2_changed_rows_origin(tested) -%}
    {%- if tested.config.materialized != 'view' or 'cd2_staging(' not in (tested.raw_code or '') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set parents = tested.depends_on.nodes | select('in', graph.nodes) | list -%}
    {%- if parents | length != 1 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set base = graph.nodes[parents[0]] -%}
    {%- set key = base.config.unique_key -%}
    {%- if key is not string or cd2_node_has_marker(base) is not true -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({'relation': base.relation_name, 'key': adapter.quote(key)}) }}
{%- endmacro %}
