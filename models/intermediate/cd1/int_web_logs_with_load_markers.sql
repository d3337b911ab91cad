{#- Every web_logs record ever loaded, with the loader's load stamp (_dap_loaded_at, the change
    marker of incremental marts) and whether its latest record is a delete tombstone. DAP serves only ~30 days of web_logs; the base model keeps
    every id ever loaded (web_logs snapshots are not treated as full state), so this reads the base
    model rather than staging, which drops the stamp the incremental `requests` mart needs.
    Read by `requests` only. Local CD2 ids. -#}
with

web_logs as (
    select * from {{ ref('base_canvas_logs__web_logs') }}
),

final as (
    select
        web_logs.id,
        web_logs.timestamp,
        web_logs.user_id,
        web_logs.real_user_id,
        web_logs.course_id,
        web_logs.quiz_id,
        web_logs.discussion_id,
        web_logs.conversation_id,
        web_logs.assignment_id,
        web_logs.url,
        web_logs.user_agent,
        web_logs.http_method,
        web_logs.http_status,
        web_logs.http_version,
        web_logs.remote_ip,
        web_logs.interaction_micros,
        web_logs.web_application_controller,
        web_logs.web_application_action,
        web_logs.web_application_context_type,
        web_logs.web_application_context_id,
        web_logs.session_id,
        web_logs.developer_key_id,
        web_logs._dap_loaded_at,
        {#- snapshot rows may carry no action: they are upserts (as in staging) #}
        coalesce(web_logs.meta_action, 'U') = 'D' as is_deleted
    from web_logs
)

select * from final
