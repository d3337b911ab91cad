"""Every fault the emulator can inject is recovered from, or reported per table and then
converges on a rerun."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import (
    assert_current_state_matches_truth,
    assert_no_failed_tables,
    assert_raw_matches_jobs,
    query,
    sync_log,
)
from tests.integration.conftest import Loader

FAULT_TABLES = (
    ("canvas", "accounts"),
    ("canvas", "users"),
    ("canvas", "submissions"),
    ("canvas_logs", "web_logs"),
)

TRANSIENT: list[tuple[str, dict[str, Any]]] = [
    (
        "rate_limit_create_job",
        {"route": "create_job", "kind": "rate_limit", "count": 3, "retry_after": 1},
    ),
    (
        "rate_limit_download",
        {"route": "download", "kind": "rate_limit", "count": 2, "retry_after": 1},
    ),
    (
        "rate_limit_object_url",
        {"route": "object_url", "kind": "rate_limit", "count": 2, "retry_after": 0},
    ),
    ("server_error_500_any", {"route": "any", "kind": "server_error", "status": 500, "count": 4}),
    (
        "server_error_502_schema",
        {"route": "schema", "kind": "server_error", "status": 502, "count": 3},
    ),
    (
        "server_error_503_plain",
        {"route": "get_job", "kind": "server_error", "status": 503, "body": "plain", "count": 3},
    ),
    (
        "server_error_504_download",
        {"route": "download", "kind": "server_error", "status": 504, "count": 3},
    ),
    ("server_error_login", {"route": "login", "kind": "server_error", "status": 503, "count": 2}),
    (
        "server_error_list_tables",
        {"route": "list_tables", "kind": "server_error", "status": 500, "count": 1},
    ),
    ("reset_download", {"route": "download", "kind": "reset", "count": 3, "fraction": 0.3}),
    ("reset_api", {"route": "create_job", "kind": "reset", "count": 2}),
    ("truncate_download", {"route": "download", "kind": "truncate", "count": 3, "fraction": 0.5}),
    ("slow_get_job", {"route": "get_job", "kind": "slow", "count": 2, "delay": 1.0}),
    ("job_failed_get_job", {"route": "get_job", "kind": "job_failed", "count": 2}),
    ("job_failed_create_job", {"route": "create_job", "kind": "job_failed", "count": 1}),
    ("url_expiry_object_url", {"route": "object_url", "kind": "url_expiry", "count": 2}),
    ("url_expiry_download", {"route": "download", "kind": "url_expiry", "count": 2}),
    ("token_expiry_get_job", {"route": "get_job", "kind": "token_expiry", "count": 2}),
    ("token_expiry_schema", {"route": "schema", "kind": "token_expiry", "count": 1}),
]


def assert_converged(loader: Loader) -> None:
    for ns, table in FAULT_TABLES:
        assert_current_state_matches_truth(loader.dsn, loader.emulator, ns, table)
    assert_raw_matches_jobs(loader.dsn, loader.emulator, FAULT_TABLES)


@pytest.mark.parametrize(("name", "rule"), TRANSIENT, ids=[n for n, _ in TRANSIENT])
def test_transient_fault_is_recovered(
    make_loader: Callable[..., Loader], name: str, rule: dict[str, Any]
) -> None:
    tables: tuple[tuple[str, str], ...] = FAULT_TABLES
    loader = make_loader(FAULT_TABLES)
    if name == "server_error_list_tables":  # plain table names make the loader list tables
        tables = (("canvas", "users"),)
        loader = make_loader(tables, tables=("users",))
    # the fault hits the increment too: snapshot first, then advance and fault
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24)
    loader.emulator.add_faults(rule)
    report = loader.run()
    fired = sum(r["hits"] for r in loader.emulator.faults())
    assert fired > 0, f"fault {name} never fired"
    assert_no_failed_tables(report)
    for ns, table in tables:
        assert_current_state_matches_truth(loader.dsn, loader.emulator, ns, table)
    assert_raw_matches_jobs(loader.dsn, loader.emulator, tables)


def test_token_revoked_again_right_after_the_new_login(make_loader: Callable[..., Loader]) -> None:
    """One table, so both revocations hit the same poll: 401, log in, 401 again, log in, go on."""
    tables = (("canvas", "users"),)
    loader = make_loader(tables, tables=("users",))
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24)
    loader.emulator.add_faults({"route": "get_job", "kind": "token_expiry", "count": 2})
    report = loader.run()
    assert sum(r["hits"] for r in loader.emulator.faults()) == 2
    assert_no_failed_tables(report)
    assert_current_state_matches_truth(loader.dsn, loader.emulator, "canvas", "users")


PERSISTENT: list[tuple[str, dict[str, Any], str]] = [
    (
        "server_error",
        {"route": "create_job", "kind": "server_error", "status": 503, "rate": 1.0},
        "failed after",
    ),
    ("job_failed", {"route": "get_job", "kind": "job_failed", "rate": 1.0}, "job"),
    ("truncate", {"route": "download", "kind": "truncate", "rate": 1.0}, "gzip stream ends"),
    ("reset", {"route": "download", "kind": "reset", "rate": 1.0}, "failed after"),
    ("url_expiry", {"route": "download", "kind": "url_expiry", "rate": 1.0}, "HTTP 404"),
    (
        "rate_limit",
        {"route": "get_job", "kind": "rate_limit", "rate": 1.0, "retry_after": 0},
        "HTTP 429",
    ),
]


@pytest.mark.parametrize(("name", "rule", "cause"), PERSISTENT, ids=[n for n, _, _ in PERSISTENT])
def test_persistent_fault_fails_one_table_then_rerun_converges(
    make_loader: Callable[..., Loader], name: str, rule: dict[str, Any], cause: str
) -> None:
    loader = make_loader(FAULT_TABLES)
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24)
    loader.emulator.add_faults({**rule, "table": "canvas.users"})
    report = loader.run()
    assert not report.ok
    lines = report.failure_lines()
    assert len(lines) == 1, lines
    (line,) = lines
    assert line.startswith("canvas.users: ") and cause in line, line
    assert "\n" not in line
    ok = {r.qualified for r in report.results if r.status == "ok"}
    assert ok == {f"{ns}.{t}" for ns, t in FAULT_TABLES} - {"canvas.users"}
    failed_rows = [r for r in sync_log(loader.dsn, "canvas") if r["status"] == "failed"]
    assert [r["table_name"] for r in failed_rows] == ["users"]
    assert failed_rows[0]["error"] and cause in failed_rows[0]["error"]
    # the watermark did not move: the rerun picks up the same changes
    loader.emulator.clear_faults()
    assert_no_failed_tables(loader.run())
    assert_converged(loader)


@pytest.mark.parametrize("count", [1, None], ids=["once", "persistent"])
def test_account_error_stops_the_run_then_rerun_converges(
    make_loader: Callable[..., Loader], count: int | None
) -> None:
    loader = make_loader(FAULT_TABLES, concurrency=1)
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24)
    rule: dict[str, Any] = {
        "route": "create_job",
        "kind": "account_error",
        "error_type": "AccountUnderMaintenance",
        "table": "canvas.users",
    }
    rule.update({"count": count} if count else {"rate": 1.0})
    loader.emulator.add_faults(rule)
    report = loader.run()
    assert not report.ok
    lines = report.failure_lines()
    assert any(line.startswith("canvas.users: AccountUnderMaintenance") for line in lines), lines
    assert all("AccountUnderMaintenance" in line for line in lines), lines
    # one 403, then the client stops calling: no request storm against a locked account
    assert loader.emulator.requests().get("create_job", {}).get("403", 0) == 1
    loader.emulator.clear_faults()
    assert_no_failed_tables(loader.run())
    assert_converged(loader)


def test_authentication_failure_is_reported(make_loader: Callable[..., Loader]) -> None:
    loader = make_loader(FAULT_TABLES)
    loader.emulator.env = {**loader.emulator.env, "DAP_CLIENT_SECRET": "wrong-secret-value"}
    report = loader.run()
    assert not report.ok
    assert all("login rejected" in line for line in report.failure_lines())
    assert not any("wrong-secret-value" in line for line in report.failure_lines())


def test_snapshot_required_takes_a_fresh_snapshot(make_loader: Callable[..., Loader]) -> None:
    loader = make_loader(FAULT_TABLES)
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24)
    loader.emulator.admin("POST", "reload", {"namespace": "canvas", "table": "users"})
    loader.emulator.advance(1)
    report = loader.run()
    assert_no_failed_tables(report)
    users = next(r for r in report.results if r.table == "users")
    assert (users.status, users.load_kind) == ("resnapshot", "snapshot")
    assert "SnapshotRequired" in (users.error or "")
    log = [r for r in sync_log(loader.dsn, "canvas") if r["table_name"] == "users"]
    assert [(r["status"], r["load_kind"]) for r in log] == [
        ("ok", "snapshot"),
        ("resnapshot", "snapshot"),
    ]
    assert_converged(loader)
    loader.emulator.advance(24)
    report = loader.run()  # and increments continue from the new snapshot
    assert_no_failed_tables(report)
    assert {r.load_kind for r in report.results} == {"incremental"}
    assert_converged(loader)


def test_out_of_range_takes_a_fresh_snapshot(make_loader: Callable[..., Loader]) -> None:
    loader = make_loader((("canvas_logs", "web_logs"),))
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24 * 31)  # beyond the 30-day retention of canvas_logs
    report = loader.run()
    assert_no_failed_tables(report)
    (web_logs,) = report.results
    assert (web_logs.status, web_logs.load_kind) == ("resnapshot", "snapshot")
    assert "OutOfRange" in (web_logs.error or "")
    assert_current_state_matches_truth(loader.dsn, loader.emulator, "canvas_logs", "web_logs")


def test_schema_bump_adds_a_column(make_loader: Callable[..., Loader]) -> None:
    loader = make_loader(FAULT_TABLES)
    assert_no_failed_tables(loader.run())
    loader.emulator.admin(
        "POST",
        "schema",
        {"namespace": "canvas", "table": "users", "kind": "add_column", "column": "pronoun_set"},
    )
    loader.emulator.admin(
        "POST",
        "schema",
        {
            "namespace": "canvas",
            "table": "accounts",
            "kind": "relax_required",
            "column": "workflow_state",
        },
    )
    loader.emulator.advance(24)
    report = loader.run()
    assert_no_failed_tables(report)
    users = next(r for r in report.results if r.table == "users")
    assert users.schema_version == 2
    from tests.helpers import query

    cols = {
        r[0]
        for r in query(
            loader.dsn,
            "select column_name from information_schema.columns "
            "where table_schema = 'raw_canvas' and table_name = 'users'",
        )
    }
    assert "pronoun_set" in cols
    assert_converged(loader)


@pytest.mark.parametrize("csv_direct", [True, False], ids=["csv_files", "arrow_items"])
def test_object_truncated_at_the_source_is_downloaded_again(
    make_loader: Callable[..., Loader], caplog: pytest.LogCaptureFixture, csv_direct: bool
) -> None:
    """A shortened object whose Content-Length matches: only decompressing it shows the damage.

    With CSV files the parse finds it (the download does not decompress), throws away what it
    wrote, downloads the object again and parses the job afresh; with Arrow items the download
    checks the stream itself. Either way rows are counted once and raw holds each job once.
    """
    tables = (("canvas", "submissions"),)
    loader = make_loader(tables, tables=("canvas.submissions",), csv_direct=csv_direct)
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24)
    loader.emulator.add_faults(
        {"route": "download", "kind": "truncate", "count": 1, "fraction": 0.9}
    )
    with caplog.at_level("WARNING"):
        report = loader.run()
    assert_no_failed_tables(report)
    assert sum(r["hits"] for r in loader.emulator.faults()) == 1
    (result,) = report.results
    job_rows = query(
        loader.dsn,
        "select count(*) from raw_canvas.submissions where _dap_job_id = %s",
        (result.job_id,),
    )[0][0]
    assert result.rows == job_rows > 0
    again = [r.message for r in caplog.records if "downloading it again" in r.message]
    if csv_direct:
        assert len(again) == 1 and "Truncated compressed stream" in again[0], again
    else:
        assert again == []
        assert any("gzip stream ends early" in r.message for r in caplog.records)
    assert_current_state_matches_truth(loader.dsn, loader.emulator, "canvas", "submissions")
    assert_raw_matches_jobs(loader.dsn, loader.emulator, tables)


def test_retry_after_of_hours_fails_the_table_without_stalling_the_run(
    make_loader: Callable[..., Loader],
) -> None:
    """A 429 asking for two hours: the table fails at once with a line that says so (the wait is
    beyond the request's retry budget, 120 s here), and the tables after it, one at a time through
    the same endpoint, are not paused for those hours. The rerun converges."""
    import threading

    loader = make_loader(FAULT_TABLES, concurrency=1)
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24)
    loader.emulator.add_faults(
        {"route": "create_job", "kind": "rate_limit", "count": 1, "retry_after": 7200}
        | {"table": "canvas.users"}
    )
    reports: list[Any] = []
    worker = threading.Thread(target=lambda: reports.append(loader.run()), daemon=True)
    worker.start()
    worker.join(timeout=300)  # a run that honoured the two hours would still be waiting
    assert not worker.is_alive(), "the run waited for the Retry-After of two hours"
    (report,) = reports
    lines = report.failure_lines()
    assert len(lines) == 1, lines
    (line,) = lines
    assert line.startswith("canvas.users: "), line
    assert "Retry-After" in line and "2.0 h" in line and "max_retry_seconds = 120" in line, line
    ok = {r.qualified for r in report.results if r.status == "ok"}
    assert ok == {f"{ns}.{t}" for ns, t in FAULT_TABLES} - {"canvas.users"}
    (rule,) = loader.emulator.faults()
    assert rule["hits"] == 1  # asked once, not retried
    loader.emulator.clear_faults()
    assert_no_failed_tables(loader.run())
    assert_converged(loader)
