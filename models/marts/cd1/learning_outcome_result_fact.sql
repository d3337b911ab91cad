with

results as (
    select * from {{ ref('stg_canvas__learning_outcome_results') }}
),

alignments as (
    select * from {{ ref('int_learning_outcome_results_joined_to_alignments') }}
),

final as (
    select
        {{ cd1_global_id('results.id') }} as learning_outcome_result_id,
        {{ cd1_global_id('alignments.account_id') }} as account_id,
        {{ cd1_global_id('alignments.course_id') }} as course_id,
        {{ cd1_global_id('alignments.enrollment_term_id') }} as enrollment_term_id,
        {{ cd1_global_id('alignments.assignment_id') }} as assignment_id,
        {{ cd1_global_id('alignments.quiz_id') }} as quiz_id,
        {{ cd1_global_id('results.learning_outcome_id') }} as learning_outcome_id,
        {{ cd1_global_id('results.user_id') }} as user_id,
        results.mastery,
        cast(results.score as double precision) as score,
        cast(results.attempt as integer) as attempts,
        cast(results.possible as double precision) as possible,
        cast(results.original_score as double precision) as original_score,
        cast(results.original_possible as double precision) as original_possible,
        results.original_mastery,
        cast(results.percent as double precision) as percent
    from results
    {#- inner join: the int model keeps only results that are not soft-deleted #}
    inner join alignments
        on alignments.learning_outcome_result_id = results.id
)

select * from final
