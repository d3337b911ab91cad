with

outcome_groups as (
    select * from {{ ref('stg_canvas__learning_outcome_groups') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

final as (
    select
        {{ cd1_global_id('outcome_groups.id') }} as learning_outcome_group_id,
        {{ cd1_context_id('outcome_groups.context_type', 'outcome_groups.context_id', 'Account') }} as account_id,
        {{ cd1_context_id('outcome_groups.context_type', 'outcome_groups.context_id', 'Course') }} as course_id,
        {{ cd1_global_id('courses.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('outcome_groups.learning_outcome_group_id') }} as parent_group_id,
        {{ cd1_global_id('outcome_groups.root_learning_outcome_group_id') }} as root_group_id,
        {#- added in CD1 4.2.2, after the 4.2.1 columns -#}
        {{ cd1_global_id('outcome_groups.outcome_import_id') }} as outcome_import_id
    from outcome_groups
    left join courses
        on outcome_groups.context_type = 'Course'
        and courses.id = outcome_groups.context_id
)

select * from final
