{#- The requests (web log ids) whose root account changes with a change of the account tree: the
    keys_macro of `requests`' accounts parent (macros/cd1/cd1_incremental.sql). `changed` selects
    the changed accounts' ids. Read from the mart as it stands (the old values):
      - requests of a course in a changed account's subtree whose stored root is not the
        account's root now (an account moved, or an ancestor did);
      - requests of a course whose account is gone from the tree (deleted);
      - requests outside any course whose stored root is not the sole root now (a root account
        was added or removed): R4, the only root account when there is exactly one.
    An account's other changes (its name, ...) recompute nothing: requests do not show them. -#}
{% macro cd1_requests_account_changes(changed, plan) -%}
    {%- set ancestry = ref('int_accounts_with_ancestry') -%}
    {%- set pairs = ref('int_accounts_paired_with_ancestors') -%}
    select existing.id
    from {{ this }} as existing
    inner join {{ pairs }} as subtree
        on existing.course_account_id = {{ cd1_global_id('subtree.account_id') }}
    inner join {{ ancestry }} as now_tree
        on now_tree.account_id = subtree.account_id
    where subtree.ancestor_account_id in ({{ changed }})
        and (
            existing.root_account_id is null
            or existing.root_account_id <> {{ cd1_global_id('now_tree.root_account_id') }}
        )

    union

    select existing.id
    from {{ this }} as existing
    where existing.course_account_id in (
        select {{ cd1_global_id('gone.id') }}
        from ({{ changed }}) as gone
        where gone.id not in (select tree.account_id from {{ ancestry }} as tree)
    )

    union

    select existing.id
    from {{ this }} as existing
    where existing.course_account_id is null
        and exists ({{ changed }})
        and coalesce(existing.root_account_id, -1) <> coalesce((
            select {{ cd1_global_id('min(roots.account_id)') }}
            from {{ ancestry }} as roots
            where roots.depth = 0
            having count(*) = 1
        ), -1)
{%- endmacro %}
