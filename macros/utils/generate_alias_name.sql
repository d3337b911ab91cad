{#- Current state under the official dap client's names: the staging model stg_<ns>__<table> is the
    relation <ns>.<table> (canvas.accounts, canvas_logs.web_logs), as `dap syncdb` names its
    replica, so SQL written for a dap replica runs unchanged. dbt's model names (ref, --select) stay
    stg_<ns>__<table> inside the project. Every other node keeps dbt's default alias. -#}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- if custom_alias_name -%}
        {{ custom_alias_name | trim }}
    {%- elif node is not none and node.resource_type == 'model' and node.name.startswith('stg_')
            and '__' in node.name -%}
        {{ node.name.split('__', 1)[1] }}
    {%- elif node is not none and node.version -%}
        {{ return(node.name ~ "_v" ~ (node.version | replace(".", "_"))) }}
    {%- else -%}
        {{ node.name }}
    {%- endif -%}
{%- endmacro %}
