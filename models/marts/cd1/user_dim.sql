with

users as (
    select * from {{ ref('stg_canvas__users') }}
),

pseudonyms as (
    select * from {{ ref('stg_canvas__pseudonyms') }}
),

ancestry as (
    select * from {{ ref('int_accounts_with_ancestry') }}
),

{# CD2 dropped users.root_account_id: a user belongs to the root account of their login. With
    several logins, the first live one (position, then id) decides, a deleted one only if there is
    nothing else. #}
ranked_logins as (
    select
        pseudonyms.user_id,
        ancestry.root_account_id,
        row_number() over (
            partition by pseudonyms.user_id
            order by
                case when pseudonyms.workflow_state = 'deleted' then 1 else 0 end,
                pseudonyms.position,
                pseudonyms.id
        ) as login_rank
    from pseudonyms
    inner join ancestry
        on ancestry.account_id = pseudonyms.account_id
),

user_roots as (
    select
        user_id,
        root_account_id
    from ranked_logins
    where login_rank = 1
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
        {{ cd1_global_id('users.id') }} as id,
        users.id as canvas_id,
        -- a user with no login (e.g. invited only) still belongs to the institution's only root
        {{ cd1_global_id('coalesce(user_roots.root_account_id, sole_root.root_account_id)') }} as root_account_id,
        cast(users.name as varchar(256)) as name,
        cast(users.time_zone as varchar(256)) as time_zone,
        {{ cd1_timestamp('users.created_at') }} as created_at,
        cast(null as varchar(256)) as visibility,
        cast(users.school_name as varchar(256)) as school_name,
        cast(users.school_position as varchar(256)) as school_position,
        cast(null as varchar(256)) as gender,
        cast(users.locale as varchar(256)) as locale,
        cast(
            case
                when users.public then 'true'
                when not users.public then 'false'
            end as varchar(256)
        ) as public,
        cast(null as timestamp) as birthdate,
        cast(null as varchar(256)) as country_code,
        cast({{ cd1_enum('users.workflow_state') }} as varchar(256)) as workflow_state,
        cast(users.sortable_name as varchar(256)) as sortable_name,
        cast({{ cd1_global_id('users.id') }} as varchar(256)) as global_canvas_id
    from users
    left join user_roots
        on user_roots.user_id = users.id
    left join sole_root
        on 1 = 1
)

select * from final
