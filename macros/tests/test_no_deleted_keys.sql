{#- Staging holds no key whose latest record in the base model is a delete tombstone. -#}
{% test no_deleted_keys(model, column_name, base_model) %}
    select staged.{{ column_name }}
    from {{ model }} as staged
    inner join {{ base_model }} as base
        on base.{{ column_name }} = staged.{{ column_name }}
    where base.meta_action = 'D'
{% endtest %}
