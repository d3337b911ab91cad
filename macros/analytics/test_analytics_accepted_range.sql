{#- Every non-NULL value of the column lies in [min_value, max_value] (inclusive; either bound may
    be omitted, not both). Returns the offending values. -#}
{% test analytics_accepted_range(model, column_name, min_value=none, max_value=none) %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error("analytics_accepted_range: give argument 'min_value', 'max_value' or both") }}
    {%- endif -%}
    {%- for name, bound in [('min_value', min_value), ('max_value', max_value)] -%}
        {%- if bound is not none and bound is not number -%}
            {{ exceptions.raise_compiler_error("analytics_accepted_range: argument '" ~ name ~ "' must be a number, got " ~ bound) }}
        {%- endif -%}
    {%- endfor %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
        and (
            {%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% endif %}
            {%- if min_value is not none and max_value is not none %} or{% endif %}
            {%- if max_value is not none %} {{ column_name }} > {{ max_value }}{% endif %}
        )
{% endtest %}
