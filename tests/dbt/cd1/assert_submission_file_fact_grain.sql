{#- submission_file_fact has one row per distinct (current submission, attachment) pair named by
    submissions.attachment_ids or by attachment_associations with context_type 'Submission'.
    Returns a row when the counts differ. -#}
with

submissions as (
    select * from {{ ref('stg_canvas__submissions') }}
),

pairs as (
    select submissions.id as submission_id, listed.element as attachment_id
    from submissions
    {{ cd1_id_list_rows('submissions.attachment_ids', 'listed') }}
    union
    select submissions.id, associations.attachment_id
    from {{ ref('stg_canvas__attachment_associations') }} as associations
    inner join submissions
        on submissions.id = associations.context_id
    where associations.context_type = 'Submission'
        and associations.attachment_id is not null
),

mart as (
    select count(*) as row_count from {{ ref('submission_file_fact') }}
),

source_grain as (
    select count(*) as row_count from pairs
)

select
    mart.row_count as mart_rows,
    source_grain.row_count as source_rows
from mart
cross join source_grain
where mart.row_count <> source_grain.row_count
