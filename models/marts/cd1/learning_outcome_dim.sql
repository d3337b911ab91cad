with

outcomes as (
    select * from {{ ref('stg_canvas__learning_outcomes') }}
),

final as (
    select
        {{ cd1_global_id('outcomes.id') }} as id,
        outcomes.id as canvas_id,
        {{ cd1_context_id('outcomes.context_type', 'outcomes.context_id', 'Account') }} as account_id,
        {{ cd1_context_id('outcomes.context_type', 'outcomes.context_id', 'Course') }} as course_id,
        cast(outcomes.short_description as varchar(256)) as short_description,
        cast(outcomes.description as text) as description,
        cast({{ cd1_enum('outcomes.workflow_state') }} as varchar(256)) as workflow_state,
        {{ cd1_timestamp('outcomes.created_at') }} as created_at,
        {{ cd1_timestamp('outcomes.updated_at') }} as updated_at,
        cast(outcomes.vendor_guid as varchar(256)) as vendor_guid,
        cast(outcomes.display_name as varchar(256)) as display_name,
        cast({{ cd1_enum('outcomes.calculation_method') }} as text) as calculation_method,
        cast(outcomes.calculation_int as integer) as calculation_int,
        {#- added in CD1 4.2.2, after the 4.2.1 columns -#}
        {{ cd1_global_id('outcomes.outcome_import_id') }} as outcome_import_id
    from outcomes
)

select * from final
