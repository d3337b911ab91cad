{#- course_activity counts every web_logs request made by a user in a course that is not deleted,
    once: its page views and participations add up to a count straight from staging. Returns a row
    when they differ. -#}
with

activity as (
    select
        sum(page_views) as page_views,
        sum(participations) as participations
    from {{ ref('course_activity') }}
),

web_logs as (
    select * from {{ ref('stg_canvas_logs__web_logs') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
    where workflow_state <> 'deleted'
),

source_counts as (
    select
        count(*) as page_views,
        sum(case when web_logs.participated then 1 else 0 end) as participations
    from web_logs
    inner join courses
        on courses.id = web_logs.course_id
    where web_logs.user_id is not null
)

select
    activity.page_views as mart_page_views,
    source_counts.page_views as source_page_views,
    activity.participations as mart_participations,
    source_counts.participations as source_participations
from activity
cross join source_counts
-- coalesce: an empty mart sums to NULL, an empty source to 0 (or NULL): both mean none
where coalesce(activity.page_views, 0) <> coalesce(source_counts.page_views, 0)
    or coalesce(activity.participations, 0) <> coalesce(source_counts.participations, 0)
