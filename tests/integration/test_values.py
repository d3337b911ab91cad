"""Empty objects and values PostgreSQL refuses, injected by the emulator over HTTP, into a real
PostgreSQL: the affected tables load (refused values NULL and recorded in ``_dap_rejects``), the
others are untouched, nothing is left pending, and a rerun after the fault is lifted converges
on the emulator's ground truth. Also: ``--drop-pending`` clears a package that cannot load."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

import loader.arrow_io as arrow_io
from tests.helpers import (
    REPO,
    assert_current_state_matches_truth,
    assert_no_failed_tables,
    current_state,
    query,
    row_hash,
)
from tests.integration.conftest import TABLES, Loader
from tests.integration.test_cli import cd2_env

FORMATS = ("tsv", "csv", "jsonl", "parquet")

# (table, column, value_kind, formats it is expressible in)
POISONS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("users", "name", "nul", FORMATS),
    ("quiz_questions", "question_data", "json_nul", FORMATS),
    ("assignments", "submission_types", "bad_json", ("tsv", "csv")),
    ("submissions", "points_deducted", "not_numeric", FORMATS),
    ("courses", "start_at", "year0", FORMATS),
    ("enrollments", "start_at", "after_range", FORMATS),
    ("accounts", "default_storage_quota", "int_overflow", ("tsv", "csv")),
    ("accounts", "created_at", "before_range", ("parquet",)),
]


def rejects(dsn: str, namespace: str = "canvas") -> list[dict[str, Any]]:
    rows = query(
        dsn,
        "select table_name, key, column_name, raw_value, reason, job_id "
        f'from "raw_{namespace}"._dap_rejects order by table_name, column_name',
    )
    names = ("table_name", "key", "column_name", "raw_value", "reason", "job_id")
    return [dict(zip(names, r, strict=True)) for r in rows]


def assert_state_is_truth_with_nulls(
    loader: Loader, table: str, nulled: dict[Any, set[str]]
) -> None:
    """Current state equals the ground truth with the rejected cells NULL."""
    truth = {r["id"]: dict(r) for r in loader.emulator.truth("canvas", table)}
    state = current_state(loader.dsn, "canvas", table)
    assert set(state) == set(truth), f"{table}: keys differ"
    for key, columns in nulled.items():
        for column in columns:
            assert state[key][column] is None, f"{table} {key}.{column} should be NULL"
            truth[key][column] = None
    columns = [c for c in next(iter(truth.values())) if c != "meta_ts"]
    for key, row in truth.items():
        for c in columns:
            if isinstance(state[key].get(c), dict | list) and isinstance(row.get(c), str):
                row[c] = json.loads(row[c])
        assert row_hash(row, columns) == row_hash(state[key], columns), f"{table} key {key}"


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_objects_load_as_zero_rows(make_loader: Callable[..., Loader], fmt: str) -> None:
    selected = (("canvas", "accounts"), ("canvas", "users"), ("canvas_logs", "web_logs"))
    loader = make_loader(selected, format=fmt)
    emu = loader.emulator
    rules = [
        {"route": "create_job", "kind": "empty_objects", "table": t, "count": 2}
        for _, t in selected
    ]
    emu.add_faults(*rules)
    assert_no_failed_tables(loader.run())  # snapshots with empty objects
    emu.advance(2)
    assert_no_failed_tables(loader.run())  # incrementals with empty objects
    assert all(r["hits"] == 2 for r in emu.faults()), emu.faults()
    empties = [
        o
        for j in emu.jobs()
        for o in j["objects"]
        if o["rows"] == 0 and "-empty" in o.get("name", o.get("id", ""))
    ]
    assert len(empties) >= 6 * (2 if fmt != "jsonl" and fmt != "parquet" else 1)
    for ns, table in selected:
        assert_current_state_matches_truth(loader.dsn, emu, ns, table)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fmt", "csv_direct"),
    [(fmt, True) for fmt in FORMATS] + [("tsv", False)],
    ids=[*FORMATS, "tsv-arrow_items"],
)
def test_refused_values_become_null_and_rejects(
    make_loader: Callable[..., Loader], fmt: str, csv_direct: bool
) -> None:
    loader = make_loader(TABLES, format=fmt, csv_direct=csv_direct)
    emu = loader.emulator
    poisons = [p for p in POISONS if fmt in p[3]]
    emu.add_faults(
        *[
            {"route": "create_job", "kind": "poison", "table": t, "column": c, "value_kind": k}
            for t, c, k, _ in poisons
        ]
    )
    report = loader.run()
    assert_no_failed_tables(report)
    assert all(r["hits"] == 1 for r in emu.faults()), emu.faults()
    found = rejects(loader.dsn)
    assert sorted((r["table_name"], r["column_name"]) for r in found) == sorted(
        (t, c) for t, c, _, _ in poisons
    ), found
    nulled: dict[str, dict[Any, set[str]]] = {}
    for r in found:
        key = r["key"]["id"]
        nulled.setdefault(r["table_name"], {}).setdefault(key, set()).add(r["column_name"])
        assert r["reason"] and r["job_id"]
    # the refused cells are NULL, everything else is the truth; web_logs is untouched
    for _, table in TABLES:
        if table == "web_logs":
            assert_current_state_matches_truth(loader.dsn, emu, "canvas_logs", table)
        else:
            assert_state_is_truth_with_nulls(loader, table, nulled.get(table, {}))
    # the fault lifted, a fresh snapshot converges on the truth
    emu.clear_faults()
    assert_no_failed_tables(loader.run(force_snapshot=True))
    for ns, table in TABLES:
        assert_current_state_matches_truth(loader.dsn, emu, ns, table)


@pytest.mark.slow
def test_drop_pending_clears_a_package_that_cannot_load(
    make_loader: Callable[..., Loader], monkeypatch: pytest.MonkeyPatch
) -> None:
    selected = (("canvas", "accounts"), ("canvas", "users"))
    loader = make_loader(selected)
    emu = loader.emulator
    assert_no_failed_tables(loader.run())
    emu.advance(2)
    emu.add_faults(
        {"route": "create_job", "kind": "poison", "table": "users", "column": "name", "count": 5}
    )
    # an older loader without the checks: the NUL byte reaches COPY and the package stays pending
    monkeypatch.setattr(arrow_io, "screen", lambda values, spec, rejects: values)
    first = loader.run()
    assert not first.ok
    monkeypatch.undo()
    again = loader.run()
    assert not again.ok
    assert any("pending package" in e and "--drop-pending" in e for e in again.errors), again.errors
    emu.clear_faults()
    # the documented command, as a user runs it
    dropped = subprocess.run(
        [
            sys.executable,
            "-m",
            "loader",
            "load",
            "--drop-pending",
            "--namespace",
            "canvas",
            "--table",
            ",".join(f"{ns}.{t}" for ns, t in selected),
            "--dsn",
            loader.dsn,
            "--state-dir",
            str(loader.state_dir),
        ],
        cwd=REPO,
        env=cd2_env(emu),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert dropped.returncode == 0, dropped.stderr[-3000:]
    assert "dropping 1 pending load package(s)" in dropped.stderr
    assert_no_failed_tables(loader.run())
    for ns, table in selected:
        assert_current_state_matches_truth(loader.dsn, emu, ns, table)


@pytest.mark.slow
@pytest.mark.parametrize("style", ["octal", "hex"])
def test_tsv_octal_and_hex_escapes_round_trip(
    make_loader: Callable[..., Loader], style: str
) -> None:
    selected = (("canvas", "users"), ("canvas", "courses"), ("canvas", "quiz_questions"))
    loader = make_loader(selected, format="tsv")
    emu = loader.emulator
    emu.admin("POST", "config", {"tsv_escapes": style})
    job = emu.http.post(
        "/_emulator/prepare", json={"table": "courses", "format": "tsv", "mode": "condensed"}
    ).json()
    assert job["objects"], job
    assert_no_failed_tables(loader.run())
    for ns, table in selected:
        assert_current_state_matches_truth(loader.dsn, emu, ns, table)
