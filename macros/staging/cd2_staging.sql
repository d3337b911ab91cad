{#-
    A staging model over a base (current-state) model: drops deleted keys (hard-delete tombstones;
    soft-deleted rows with workflow_state = 'deleted' are data and stay) and the loader's
    bookkeeping columns, keeping the CD2 columns under their CD2 names plus meta_ts (the record's
    last-modified commit time).

    The columns are every column of the catalog (the generated source YAML, from loader/catalog/)
    in catalog order, then every other column of the base model (one the API serves that the
    catalog lacks, so a column new in CD2 appears here without editing SQL). A catalog column
    the base model lacks (the API's schema never had it: an older schema version, a column
    Instructure removed, a feature the institution lacks) is NULL, cast to the catalog's type, so
    the tests and marts reading it still run (Fivetran's fill_staging_columns pattern).
-#}
{% macro cd2_staging(base_model) -%}
    {%- if base_model is string or base_model is none -%}
        {{ exceptions.raise_compiler_error("cd2_staging: argument 'base_model' must be a ref(), got " ~ base_model) }}
    {%- endif -%}
    {%- set internal = ['meta_action', '_dap_job_id', '_dap_job_seq', '_dap_change_order',
                        '_dap_load_kind', '_dap_loaded_at', '_dap_version_rank',
                        '_dlt_load_id', '_dlt_id'] -%}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- set present = {} -%}
        {%- for column in adapter.get_columns_in_relation(base_model) -%}
            {%- if column.name | lower not in internal -%}
                {%- do present.update({column.name | lower: column.name}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set filled = [] -%}
        {%- for name, data_type in cd2_catalog_columns(base_model) -%}
            {%- if name | lower not in internal and name | lower not in filled -%}
                {%- do filled.append(name | lower) -%}
                {%- if name | lower in present -%}
                    {%- do columns.append(adapter.quote(present[name | lower])) -%}
                {%- else -%}
                    {%- do columns.append("cast(null as " ~ (data_type or dbt.type_string()) ~ ") as " ~ adapter.quote(name)) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for lowered, name in present.items() -%}
            {%- if lowered not in filled -%}
                {%- do columns.append(adapter.quote(name)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
with

base as (
    select * from {{ base_model }}
),

final as (
    select
        {{ columns | join(',\n        ') if columns else '*' }}
    from base
    {#- snapshot rows may carry no action: they are upserts #}
    where coalesce(meta_action, 'U') <> 'D'
)

select * from final
{%- endmacro %}


{#- The (name, data_type) pairs of the catalog columns of the raw table a base model reads: the
    columns of the source its model node depends on, as the generated source YAML documents them.
    Empty when the base model reads no documented source. -#}
{% macro cd2_catalog_columns(base_model) -%}
    {%- set pairs = [] -%}
    {%- set base_node = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('alias', 'equalto', base_model.identifier)
        | selectattr('schema', 'equalto', base_model.schema) | first -%}
    {%- if base_node is defined and base_node is not none -%}
        {%- for source_id in base_node.depends_on.nodes if source_id.startswith('source.') -%}
            {%- set source_node = graph.sources.get(source_id) -%}
            {%- if source_node is not none -%}
                {%- for column in source_node.columns.values() -%}
                    {%- do pairs.append((column.name, column.data_type)) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(pairs) }}
{%- endmacro %}
