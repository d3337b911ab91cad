"""The loader against the emulator and a real PostgreSQL: snapshots, increments, formats."""

from __future__ import annotations

from collections.abc import Callable

import psycopg2
import pytest

from tests.helpers import (
    assert_change_order_unique,
    assert_current_state_matches_truth,
    assert_no_failed_tables,
    assert_raw_matches_jobs,
    job_seqs,
    query,
    raw_table,
    sync_log,
)
from tests.integration.conftest import TABLES, Loader


def assert_converged(loader: Loader, tables: tuple[tuple[str, str], ...] = TABLES) -> None:
    for ns, table in tables:
        assert_current_state_matches_truth(loader.dsn, loader.emulator, ns, table, "id")
        assert_change_order_unique(loader.dsn, ns, table)
    assert_raw_matches_jobs(loader.dsn, loader.emulator, tables)


@pytest.mark.slow
def test_snapshot_then_three_incremental_cycles(loader: Loader) -> None:
    report = loader.run()
    assert_no_failed_tables(report)
    assert {r.load_kind for r in report.results} == {"snapshot"}
    assert_converged(loader)
    for cycle in range(3):
        changes = loader.emulator.advance(24)
        clock = changes["clock"]
        report = loader.run()
        assert_no_failed_tables(report)
        assert {r.load_kind for r in report.results} == {"incremental"}
        assert sum(r.rows for r in report.results) > 0, "the emulator changed nothing?"
        assert_converged(loader)
        for ns, table in TABLES:
            log = [r for r in sync_log(loader.dsn, ns) if r["table_name"] == table]
            assert [r["status"] for r in log] == ["ok"] * (cycle + 2)
            last = log[-1]
            assert last["load_kind"] == "incremental"
            assert last["until"].isoformat().replace("+00:00", "Z") == clock
            assert last["since"] == (log[-2]["until"] or log[-2]["snapshot_at"])
            # one job per run, numbered 1, 2, 3, …; a job without changes has no raw rows
            assert [r["job_seq"] for r in log] == list(range(1, cycle + 3))
            assert set(job_seqs(loader.dsn, ns, table)) <= set(range(1, cycle + 3))


def test_rerun_without_new_data_loads_nothing_new(loader: Loader) -> None:
    assert_no_failed_tables(loader.run())
    before = {
        t: query(loader.dsn, f'select count(*) from "raw_{ns}"."{raw_table(t)}"')[0][0]
        for ns, t in TABLES
    }
    report = loader.run()
    assert_no_failed_tables(report)
    assert all(r.rows == 0 and r.load_kind == "incremental" for r in report.results)
    after = {
        t: query(loader.dsn, f'select count(*) from "raw_{ns}"."{raw_table(t)}"')[0][0]
        for ns, t in TABLES
    }
    assert before == after
    assert_converged(loader)


def test_timestamps_are_exact_whatever_the_server_time_zone(loader: Loader) -> None:
    """The CSV files carry UTC wall time without an offset; the COPY session reads it as UTC."""
    database = loader.dsn.rsplit("/", 1)[1]
    with psycopg2.connect(loader.dsn) as conn, conn.cursor() as cur:
        cur.execute(f"alter database \"{database}\" set timezone = 'Pacific/Chatham'")
    conn.close()
    assert query(loader.dsn, "show timezone")[0][0] == "Pacific/Chatham"
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24)
    assert_no_failed_tables(loader.run())
    assert_converged(loader)


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl", "parquet"])
def test_every_format_gives_the_same_state(make_loader: Callable[..., Loader], fmt: str) -> None:
    loader = make_loader(format=fmt)
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24)
    assert_no_failed_tables(loader.run())
    assert_converged(loader)
    kinds = {j["format"] for j in loader.emulator.jobs()}
    assert kinds == {fmt}


def test_expanded_mode_still_gives_one_json_column(make_loader: Callable[..., Loader]) -> None:
    loader = make_loader(mode="expanded")
    assert_no_failed_tables(loader.run())
    assert_converged(loader)
    cols = {
        r[0]
        for r in query(
            loader.dsn,
            "select column_name from information_schema.columns "
            "where table_schema = 'raw_canvas' and table_name = 'assignments'",
        )
    }
    assert "turnitin_settings" in cols
    assert not any(c.startswith("turnitin_settings_") for c in cols)


def test_raw_layout(loader: Loader) -> None:
    assert_no_failed_tables(loader.run())
    types = dict(
        query(
            loader.dsn,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw_canvas' and table_name = 'assignments'",
        )
    )
    assert types["id"] == "bigint"
    assert types["turnitin_settings"] == "jsonb"
    assert types["submission_types"] == "jsonb"  # arrays
    assert types["created_at"] == "timestamp with time zone"
    assert types["title"] == "text"
    assert types["meta_ts"] == "timestamp with time zone"
    assert types["_dap_job_seq"] == "bigint" and types["_dap_change_order"] == "bigint"
    not_null = query(
        loader.dsn,
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema like 'raw_%' and is_nullable = 'NO' "
        "and table_name not like '_dlt_%'",
    )
    assert not_null == []
    (web_logs_id,) = query(
        loader.dsn,
        "select data_type from information_schema.columns "
        "where table_schema = 'raw_canvas_logs' and table_name = 'web_logs' "
        "and column_name = 'id'",
    )
    assert web_logs_id == ("text",)
    kinds = query(
        loader.dsn,
        "select distinct _dap_load_kind, meta_action from raw_canvas.users",
    )
    assert kinds == [("snapshot", "U")]


@pytest.mark.slow
def test_every_table_of_both_namespaces(make_loader: Callable[..., Loader]) -> None:
    loader = make_loader(tables=(), namespaces=("canvas", "canvas_logs"), concurrency=8)
    report = loader.run()
    assert_no_failed_tables(report)
    assert len(report.results) > 90
    loader.emulator.advance(24)
    report = loader.run()
    assert_no_failed_tables(report)
    tables = tuple((r.namespace, r.table) for r in report.results)
    assert_raw_matches_jobs(loader.dsn, loader.emulator, tables)


def test_arrow_items_path_gives_the_same_state(make_loader: Callable[..., Loader]) -> None:
    loader = make_loader(csv_direct=False)
    assert_no_failed_tables(loader.run())
    loader.emulator.advance(24)
    assert_no_failed_tables(loader.run())
    assert_converged(loader)
