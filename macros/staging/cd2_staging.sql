{#-
    A staging model over a base (current-state) model: drops deleted keys (hard-delete tombstones;
    soft-deleted rows with workflow_state = 'deleted' are data and stay) and the loader's
    bookkeeping columns, keeping the CD2 columns under their CD2 names plus meta_ts (the record's
    last-modified commit time). Columns are read from the base model, so a column new in CD2
    appears here without editing SQL.
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
        {%- for column in adapter.get_columns_in_relation(base_model) -%}
            {%- if column.name | lower not in internal -%}
                {%- do columns.append(adapter.quote(column.name)) -%}
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
