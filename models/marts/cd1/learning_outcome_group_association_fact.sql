{#- One row per (outcome, outcome group) link: content_tags with tag_type
    'learning_outcome_association' whose content is a LearningOutcome and whose associated asset is
    a LearningOutcomeGroup, not soft-deleted (CD1 has no state column; a deleted link no longer puts
    the outcome in the group). Should Canvas hold two live links for one pair, the lowest tag id
    gives the context. -#}
with

tags as (
    select * from {{ ref('stg_canvas__content_tags') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

links as (
    select
        tags.id as content_tag_id,
        tags.content_id as learning_outcome_id,
        tags.associated_asset_id as learning_outcome_group_id,
        tags.context_type,
        tags.context_id,
        row_number() over (
            partition by tags.content_id, tags.associated_asset_id
            order by tags.id
        ) as link_rank
    from tags
    where tags.tag_type = 'learning_outcome_association'
        and tags.workflow_state <> 'deleted'
        and tags.content_type = 'LearningOutcome'
        and tags.associated_asset_type = 'LearningOutcomeGroup'
        and tags.content_id is not null
        and tags.associated_asset_id is not null
),

final as (
    select
        {{ cd1_global_id('links.learning_outcome_id') }} as learning_outcome_id,
        {{ cd1_global_id('links.learning_outcome_group_id') }} as learning_outcome_group_id,
        {{ cd1_context_id('links.context_type', 'links.context_id', 'Account') }} as account_id,
        {{ cd1_context_id('links.context_type', 'links.context_id', 'Course') }} as course_id,
        {{ cd1_global_id('courses.enrollment_term_id') }} as enrollment_term_id
    from links
    left join courses
        on links.context_type = 'Course'
        and courses.id = links.context_id
    where links.link_rank = 1
)

select * from final
