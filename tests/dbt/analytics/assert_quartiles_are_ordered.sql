{#- Score statistics are ordered (min <= first quartile <= median <= third quartile <= max) and
    present together with a scored submission count above zero; returns the assignments that are
    not. -#}
with

assignments as (
    select * from {{ ref('course_assignments') }}
)

select *
from assignments
where (scored_submission_count > 0 and (
        min_score is null
        or max_score is null
        or min_score > first_quartile_score + 1e-9
        or first_quartile_score > median_score + 1e-9
        or median_score > third_quartile_score + 1e-9
        or third_quartile_score > max_score + 1e-9
    ))
    or (scored_submission_count = 0 and (min_score is not null or max_score is not null))
