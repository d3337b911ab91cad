{#- Change paths of the incremental Analytics marts (macros/cd1/cd1_incremental.sql is the
    framework; these are `keys_macro`s of their specs, called with `changed`, a select of the
    parent's changed key values, and the run's plan). The reports keep only the rows of students
    (int_student_enrollments_rolled_up) or of courses that are not deleted: a change of an
    enrollment or a course matters only where it turns a (course, student) pair, or a course, in
    or out of the report. Such flips are found by comparing the pair's (the course's) membership
    now with its presence in the mart, and give the driving keys (hours, days, requests) of the
    pair's (the course's) requests, which are then recomputed. Membership is a filter, not a
    source of values, so the rows' marker is their requests' alone. -#}

{#- Driving keys of the requests (int_web_logs_categorized, the plan's `key` column) of the pairs
    among `candidates` (a select of course_id, user_id) whose membership among the students
    differs from their presence in the mart. -#}
{% macro analytics_flipped_pair_keys(candidates, plan) -%}
    select requests.{{ adapter.quote(plan.spec.key) }}
    from {{ ref('int_web_logs_categorized') }} as requests
    inner join (
        select distinct
            candidates.course_id,
            candidates.user_id
        from (
            {{ candidates | indent(12) }}
        ) as candidates
        where case when exists (
                select 1
                from {{ ref('int_student_enrollments_rolled_up') }} as students
                where students.course_id = candidates.course_id
                    and students.user_id = candidates.user_id
            ) then 1 else 0 end
            <> case when exists (
                select 1
                from {{ this }} as existing
                where existing.course_id = candidates.course_id
                    and existing.user_id = candidates.user_id
            ) then 1 else 0 end
    ) as flipped
        on flipped.course_id = requests.course_id
        and flipped.user_id = requests.user_id
{%- endmacro %}

{#- keys_macro of parent base_canvas__enrollments: the pairs of the changed enrollments (their
    current values; a deleted one's from every record of it in raw: a tombstone carries none). -#}
{% macro analytics_enrollment_pair_keys(changed, plan) -%}
    {%- set raw = cd1_incremental_raw_relation('base_canvas__enrollments') -%}
    {%- set candidates -%}
    select enrollments.course_id, enrollments.user_id
    from {{ ref('base_canvas__enrollments') }} as enrollments
    where enrollments.id in (
        {{ changed | indent(8) }}
    )
        and enrollments.course_id is not null
    {%- if raw is not none %}
    union
    select history.course_id, history.user_id
    from {{ raw }} as history
    where history.id in (
        select deleted.id
        from {{ ref('base_canvas__enrollments') }} as deleted
        where deleted._dap_loaded_at > {{ plan.marker }}
            and deleted.meta_action = 'D'
    )
    {%- endif %}
    {%- endset -%}
    {{ return(analytics_flipped_pair_keys(candidates, plan)) }}
{%- endmacro %}

{#- keys_macro of parent base_canvas__courses: every pair with requests in a changed course (a
    course deleted or restored takes its students out of the report or back in). -#}
{% macro analytics_course_pair_keys(changed, plan) -%}
    {%- set candidates -%}
    select course_requests.course_id, course_requests.user_id
    from {{ ref('int_web_logs_categorized') }} as course_requests
    where course_requests.course_id in (
        {{ changed | indent(8) }}
    )
    {%- endset -%}
    {{ return(analytics_flipped_pair_keys(candidates, plan)) }}
{%- endmacro %}

{#- keys_macro of parent base_canvas__courses for course_activity: the days
    (int_page_views_rolled_up) of the changed courses that are now in the report (not deleted)
    but have no rows in the mart, or the other way round. -#}
{% macro analytics_course_day_keys(changed, plan) -%}
    select rollups.request_date
    from {{ ref('int_page_views_rolled_up') }} as rollups
    where rollups.course_id in (
        select courses.id
        from (
            {{ changed | indent(12) }}
        ) as courses
        where case when exists (
                select 1
                from {{ ref('stg_canvas__courses') }} as live
                where live.id = courses.id
                    and live.workflow_state <> 'deleted'
            ) then 1 else 0 end
            <> case when exists (
                select 1
                from {{ this }} as existing
                where existing.course_id = courses.id
            ) then 1 else 0 end
    )
{%- endmacro %}

{#- The `parents` of a course-grained incremental Analytics model (driving table
    base_canvas__courses, key: the course id; a run recomputes every row of the changed courses):
    for each named input, how its changed rows lead to their course. Deleted rows (tombstones)
    lead there through the values raw ever held for them (`history`). Inputs: enrollments, scores,
    assignments, post_policies, submissions, content_tags, submission_comments (through their
    submission), conversations, conversation_messages (through their conversation),
    conversation_message_participants (through their message's conversation), requests
    (int_web_logs_categorized). -#}
{% macro analytics_course_parents(names) -%}
    {%- set to_course = [['base_canvas__courses', 'id']] -%}
    {%- set known = {
        'enrollments': {'base': 'base_canvas__enrollments', 'column': 'course_id', 'history': true, 'via': to_course},
        'scores': {'base': 'base_canvas__scores', 'column': 'enrollment_id', 'history': true, 'via': [['base_canvas__enrollments', 'id', 'course_id']]},
        'assignments': {'base': 'base_canvas__assignments', 'column': 'context_id', 'history': true, 'via': to_course},
        'post_policies': {'base': 'base_canvas__post_policies', 'column': 'course_id', 'history': true, 'via': to_course},
        'submissions': {'base': 'base_canvas__submissions', 'column': 'course_id', 'history': true, 'via': to_course},
        'content_tags': {'base': 'base_canvas__content_tags', 'column': 'context_id', 'history': true, 'via': to_course},
        'submission_comments': {'base': 'base_canvas__submission_comments', 'column': 'submission_id', 'history': true, 'via': [['base_canvas__submissions', 'id', 'course_id']]},
        'conversations': {'base': 'base_canvas__conversations', 'column': 'context_id', 'history': true, 'via': to_course},
        'conversation_messages': {'base': 'base_canvas__conversation_messages', 'column': 'conversation_id', 'history': true, 'via': [['base_canvas__conversations', 'id', 'context_id']]},
        'conversation_message_participants': {'base': 'base_canvas__conversation_message_participants', 'column': 'conversation_message_id', 'history': true, 'via': [['base_canvas__conversation_messages', 'id', 'conversation_id'], ['base_canvas__conversations', 'id', 'context_id']]},
        'requests': {'base': 'int_web_logs_categorized', 'column': 'course_id', 'via': to_course},
    } -%}
    {%- set parents = [] -%}
    {%- for name in names -%}
        {%- if name not in known -%}
            {{ exceptions.raise_compiler_error("analytics_course_parents: unknown input '" ~ name ~ "' (known: " ~ known.keys() | list | join(', ') ~ ")") }}
        {%- endif -%}
        {%- do parents.append(known[name]) -%}
    {%- endfor -%}
    {{ return(parents) }}
{%- endmacro %}

{#- The spec of a course-grained incremental Analytics model (see analytics_course_parents). -#}
{% macro analytics_course_spec(inputs) -%}
    {{ return({
        'unique_key': 'course_id',
        'driving': 'base_canvas__courses',
        'unique_key_sql': '{}',
        'driving_key_sql': '{}',
        'parents': analytics_course_parents(inputs),
    }) }}
{%- endmacro %}
