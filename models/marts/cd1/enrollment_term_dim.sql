with

enrollment_terms as (
    select * from {{ ref('stg_canvas__enrollment_terms') }}
),

courses as (
    select * from {{ ref('stg_canvas__courses') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

{# CD2 dropped enrollment_terms.root_account_id: a term belongs to the root account of the
    courses that use it (R4) #}
term_roots as (
    select
        courses.enrollment_term_id,
        min(ancestry.root_account_id) as root_account_id
    from courses
    inner join ancestry
        on ancestry.account_id = courses.account_id
    group by courses.enrollment_term_id
),

{# the institution's only root account, when it has exactly one (R4: then a constant) #}
sole_root as (
    select min(account_id) as root_account_id
    from ancestry
    where depth = 0
    having count(*) = 1
),

final as (
    select
        {{ cd1_global_id('enrollment_terms.id') }} as id,
        enrollment_terms.id as canvas_id,
        -- a term no course uses yet still belongs to the institution's only root account
        {{ cd1_global_id('coalesce(term_roots.root_account_id, sole_root.root_account_id)') }} as root_account_id,
        cast(enrollment_terms.name as varchar(256)) as name,
        {{ cd1_timestamp('enrollment_terms.start_at') }} as date_start,
        {{ cd1_timestamp('enrollment_terms.end_at') }} as date_end,
        cast(enrollment_terms.sis_source_id as varchar(256)) as sis_source_id
    from enrollment_terms
    left join term_roots
        on term_roots.enrollment_term_id = enrollment_terms.id
    left join sole_root
        on 1 = 1
)

select * from final
