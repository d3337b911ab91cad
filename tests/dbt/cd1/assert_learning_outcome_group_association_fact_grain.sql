-- learning_outcome_group_association_fact: one row per distinct (outcome, group) pair of live canvas.content_tags outcome links (tag_type 'learning_outcome_association'). Returns a row when the counts differ.
with

mart as (
    select count(*) as row_count from {{ ref('learning_outcome_group_association_fact') }}
),

source_grain as (
    select count(*) as row_count from (
        select distinct content_id, associated_asset_id
        from {{ ref('stg_canvas__content_tags') }}
        where tag_type = 'learning_outcome_association'
            and workflow_state <> 'deleted'
            and content_type = 'LearningOutcome'
            and associated_asset_type = 'LearningOutcomeGroup'
            and content_id is not null
            and associated_asset_id is not null
    ) as pairs
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
