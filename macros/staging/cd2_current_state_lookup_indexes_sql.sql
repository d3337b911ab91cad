{#- Post-hook SQL of cd2_current_state: an index on every column of this base model that an
    incremental CD1 mart looks changed keys up by (a `via` hop of its spec, in the marts' meta:
    `select hop.id from <this> as hop where hop.<column> in (<changed parent keys>)`), if the
    column exists and the index does not. Without one, each hop read the whole table on every
    refresh (four full scans of 4.5M submissions for submission_fact at --scale xlarge;
    DECISIONS.md). Read from the graph when the hook renders, so a new mart's hops get their
    index on the next run. Nothing on engines without secondary indexes. -#}
{% macro cd2_current_state_lookup_indexes_sql(relation) -%}
    {{ return(adapter.dispatch('cd2_current_state_lookup_indexes_sql', 'cd2_warehouse')(relation)) }}
{%- endmacro %}

{% macro default__cd2_current_state_lookup_indexes_sql(relation) -%}
{%- endmacro %}

{% macro postgres__cd2_current_state_lookup_indexes_sql(relation) -%}
    {%- if not execute or model.resource_type != 'model' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set key = config.get('unique_key') -%}
    {%- set wanted = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
        {%- set spec = (node.config.meta or {}).get('cd1_incremental') or {} -%}
        {%- for parent in spec.get('parents') or [] -%}
            {%- for hop in parent.get('via') or [] -%}
                {%- if hop[0] == model.name and hop[1] != key and hop[1] | lower not in wanted -%}
                    {%- do wanted.append(hop[1] | lower) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not wanted -%}
        {{ return('') }}
    {%- endif -%}
    {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- set statements = [] -%}
    {%- for column in wanted | sort if column in present -%}
        {%- do statements.append(cd1_create_index(relation, [column]) | trim) -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}
