with

quizzes as (
    select * from {{ ref('stg_canvas__quizzes') }}
),

quiz_context as (
    select * from {{ ref('int_quizzes_joined_to_courses') }}
),

final as (
    select
        {{ cd1_global_id('quizzes.id') }} as id,
        quizzes.id as canvas_id,
        {{ cd1_global_id('quiz_context.root_account_id') }} as root_account_id,
        cast(quizzes.title as varchar(256)) as name,
        cast(quizzes.points_possible as double precision) as points_possible,
        quizzes.description,
        cast({{ cd1_enum('quizzes.quiz_type') }} as varchar(256)) as quiz_type,
        {{ cd1_context_id('quizzes.context_type', 'quizzes.context_id', 'Course') }} as course_id,
        {{ cd1_global_id('quizzes.assignment_id') }} as assignment_id,
        {#- CD1 knows unpublished/published/deleted; Canvas publishes a quiz as 'available' and keeps
            created/edited drafts unpublished -#}
        cast(
            case {{ cd1_enum('quizzes.workflow_state') }}
                when 'available' then 'published'
                when 'created' then 'unpublished'
                when 'edited' then 'unpublished'
                else {{ cd1_enum('quizzes.workflow_state') }}
            end as varchar(256)
        ) as workflow_state,
        {#- coalesce: Canvas scores a quiz without a policy as keep_highest (CD1 default) -#}
        cast(coalesce(quizzes.scoring_policy, 'keep_highest') as varchar(256)) as scoring_policy,
        cast(
            case
                when quizzes.anonymous_submissions then 'allow_anonymous_submissions'
                else 'disallow_anonymous_submissions'
            end as varchar(256)
        ) as anonymous_submissions,
        cast(
            case
                when quizzes.one_question_at_a_time then 'one_at_a_time'
                else 'multiple_at_a_time'
            end as varchar(256)
        ) as display_questions,
        cast(
            case
                when quizzes.shuffle_answers then 'shuffled'
                else 'in_order'
            end as varchar(256)
        ) as answer_display_order,
        cast(
            case
                when quizzes.cant_go_back then 'disallow_going_back'
                else 'allow_going_back'
            end as varchar(256)
        ) as go_back_to_previous_question,
        cast(
            case
                when quizzes.could_be_locked then 'allow_locking'
                else 'disallow_locking'
            end as varchar(256)
        ) as could_be_locked,
        cast(
            case
                when quizzes.require_lockdown_browser then 'required'
                else 'not_required'
            end as varchar(256)
        ) as browser_lockdown,
        cast(
            case
                when quizzes.require_lockdown_browser_for_results then 'required'
                else 'not_required'
            end as varchar(256)
        ) as browser_lockdown_for_displaying_results,
        cast(
            case
                when quizzes.require_lockdown_browser_monitor then 'required'
                else 'not_required'
            end as varchar(256)
        ) as browser_lockdown_monitor,
        cast(quizzes.ip_filter as varchar(256)) as ip_filter,
        {#- hide_results: NULL (show), 'always' (never show), 'until_after_last_attempt' -#}
        cast(
            case
                when quizzes.hide_results = 'always' then 'never'
                when quizzes.hide_results = 'until_after_last_attempt' and quizzes.one_time_results
                    then 'only_once_after_last_attempt'
                when quizzes.hide_results = 'until_after_last_attempt' then 'always_after_last_attempt'
                else 'always'
            end as varchar(256)
        ) as show_results,
        cast(
            case
                when not quizzes.show_correct_answers then 'never'
                when quizzes.show_correct_answers_last_attempt and quizzes.one_time_results
                    then 'only_once_after_last_attempt'
                when quizzes.show_correct_answers_last_attempt then 'always_after_last_attempt'
                else 'always'
            end as varchar(256)
        ) as show_correct_answers,
        {{ cd1_timestamp('quizzes.show_correct_answers_at') }} as show_correct_answers_at,
        {{ cd1_timestamp('quizzes.hide_correct_answers_at') }} as hide_correct_answers_at,
        {{ cd1_timestamp('quizzes.created_at') }} as created_at,
        {{ cd1_timestamp('quizzes.updated_at') }} as updated_at,
        {{ cd1_timestamp('quizzes.published_at') }} as published_at,
        {{ cd1_timestamp('quizzes.unlock_at') }} as unlock_at,
        {{ cd1_timestamp('quizzes.lock_at') }} as lock_at,
        {{ cd1_timestamp('quizzes.due_at') }} as due_at,
        {{ cd1_timestamp('quizzes.deleted_at') }} as deleted_at
    from quizzes
    left join quiz_context
        on quiz_context.quiz_id = quizzes.id
)

select * from final
