with

results as (
    select * from {{ ref('stg_canvas__learning_outcome_results') }}
),

alignments as (
    select * from {{ ref('int_learning_outcome_results_joined_to_alignments') }}
),

final as (
    select
        {{ cd1_global_id('results.id') }} as id,
        results.id as canvas_id,
        {{ cd1_global_id('alignments.account_id') }} as account_id,
        {{ cd1_global_id('alignments.course_id') }} as course_id,
        {{ cd1_global_id('alignments.assignment_id') }} as assignment_id,
        {{ cd1_global_id('alignments.quiz_id') }} as quiz_id,
        {{ cd1_global_id('results.learning_outcome_id') }} as learning_outcome_id,
        {{ cd1_global_id('results.user_id') }} as user_id,
        {{ cd1_timestamp('results.created_at') }} as created_at,
        {{ cd1_timestamp('results.updated_at') }} as updated_at,
        {{ cd1_timestamp('results.assessed_at') }} as assessed_at,
        {{ cd1_timestamp('results.submitted_at') }} as submitted_at,
        results.hide_points,
        results.hidden
    from results
    {#- inner join: the int model keeps only results that are not soft-deleted #}
    inner join alignments
        on alignments.learning_outcome_result_id = results.id
)

select * from final
