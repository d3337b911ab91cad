{#- Student-in-course communication
    (GET /api/v1/courses/:course_id/analytics/users/:student_id/communication): per UTC day, the
    messages between a student and the course's instructors (active or completed Teacher and TA
    enrollments), in two channels:

    - conversation messages in conversations whose context is the course: a message by the
      student with an instructor among its recipients (conversation_message_participants), or a
      message by an instructor with the student among its recipients;
    - comments on the student's submissions in the course (not drafts, not hidden from the
      student), by the student or by an instructor.

    instructor_messages and student_messages count both channels; the *_submission_comments columns
    say how many of them were comments. One row per (course, student, day) with a message. -#}
with

students as (
    select * from {{ ref('int_student_enrollments_rolled_up') }}
),

instructors as (
    select distinct
        course_id,
        user_id
    from {{ ref('stg_canvas__enrollments') }}
    where type in ('TeacherEnrollment', 'TaEnrollment')
        and workflow_state in ('active', 'completed')
),

conversations as (
    select * from {{ ref('stg_canvas__conversations') }}
    where context_type = 'Course'
),

conversation_messages as (
    select * from {{ ref('stg_canvas__conversation_messages') }}
),

message_participants as (
    select distinct
        conversation_message_id,
        user_id
    from {{ ref('stg_canvas__conversation_message_participants') }}
),

submissions as (
    select * from {{ ref('stg_canvas__submissions') }}
    where workflow_state <> 'deleted'
),

submission_comments as (
    select * from {{ ref('stg_canvas__submission_comments') }}
    where not draft
        and not hidden
),

course_messages as (
    select
        conversation_messages.id as message_id,
        conversations.context_id as course_id,
        conversation_messages.author_id,
        cast({{ cd1_timestamp('conversation_messages.created_at') }} as date) as message_date
    from conversation_messages
    inner join conversations
        on conversations.id = conversation_messages.conversation_id
),

student_conversation_messages as (
    select
        course_messages.course_id,
        course_messages.author_id as user_id,
        course_messages.message_date,
        'student' as sender,
        'conversation' as channel
    from course_messages
    inner join students
        on students.course_id = course_messages.course_id
        and students.user_id = course_messages.author_id
    where exists (
        select 1
        from message_participants
        inner join instructors
            on instructors.user_id = message_participants.user_id
        where message_participants.conversation_message_id = course_messages.message_id
            and instructors.course_id = course_messages.course_id
    )
),

instructor_conversation_messages as (
    select
        course_messages.course_id,
        students.user_id,
        course_messages.message_date,
        'instructor' as sender,
        'conversation' as channel
    from course_messages
    inner join instructors
        on instructors.course_id = course_messages.course_id
        and instructors.user_id = course_messages.author_id
    inner join message_participants
        on message_participants.conversation_message_id = course_messages.message_id
    inner join students
        on students.course_id = course_messages.course_id
        and students.user_id = message_participants.user_id
),

comments as (
    select
        submissions.course_id,
        submissions.user_id,
        cast({{ cd1_timestamp('submission_comments.created_at') }} as date) as message_date,
        case
            when submission_comments.author_id = submissions.user_id then 'student'
            else 'instructor'
        end as sender,
        'submission_comment' as channel
    from submission_comments
    inner join submissions
        on submissions.id = submission_comments.submission_id
    inner join students
        on students.course_id = submissions.course_id
        and students.user_id = submissions.user_id
    left join instructors
        on instructors.course_id = submissions.course_id
        and instructors.user_id = submission_comments.author_id
    where submission_comments.author_id = submissions.user_id
        or instructors.user_id is not null
),

messages as (
    select * from student_conversation_messages
    union all
    select * from instructor_conversation_messages
    union all
    select * from comments
),

final as (
    select
        course_id,
        user_id,
        message_date as communication_date,
        cast(sum(case when sender = 'instructor' then 1 else 0 end) as {{ dbt.type_bigint() }}) as instructor_messages,
        cast(sum(case when sender = 'student' then 1 else 0 end) as {{ dbt.type_bigint() }}) as student_messages,
        cast(sum(case when sender = 'instructor' and channel = 'submission_comment' then 1 else 0 end) as {{ dbt.type_bigint() }}) as instructor_submission_comments,
        cast(sum(case when sender = 'student' and channel = 'submission_comment' then 1 else 0 end) as {{ dbt.type_bigint() }}) as student_submission_comments
    from messages
    group by
        course_id,
        user_id,
        message_date
)

select * from final
