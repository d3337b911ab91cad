with

outcome_groups as (
    select * from {{ ref('stg_canvas__learning_outcome_groups') }}
),

final as (
    select
        {{ cd1_global_id('outcome_groups.id') }} as id,
        outcome_groups.id as canvas_id,
        {{ cd1_context_id('outcome_groups.context_type', 'outcome_groups.context_id', 'Account') }} as account_id,
        {{ cd1_context_id('outcome_groups.context_type', 'outcome_groups.context_id', 'Course') }} as course_id,
        cast(outcome_groups.title as varchar(256)) as title,
        {{ cd1_global_id('outcome_groups.learning_outcome_group_id') }} as parent_group_id,
        {{ cd1_global_id('outcome_groups.root_learning_outcome_group_id') }} as root_group_id,
        cast({{ cd1_enum('outcome_groups.workflow_state') }} as varchar(256)) as workflow_state,
        cast(outcome_groups.description as text) as description,
        {{ cd1_timestamp('outcome_groups.created_at') }} as created_at,
        {{ cd1_timestamp('outcome_groups.updated_at') }} as updated_at,
        cast(outcome_groups.vendor_guid as varchar(256)) as vendor_guid,
        {#- added in CD1 4.2.2, after the 4.2.1 columns -#}
        {{ cd1_global_id('outcome_groups.outcome_import_id') }} as outcome_import_id
    from outcome_groups
)

select * from final
