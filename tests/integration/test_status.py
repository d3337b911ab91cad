"""``cd2 status`` against a warehouse holding a fresh, a stale and a failing table.

The ages are measured against the emulator's clock (``--now``): every table is loaded, the clock
moves 30 hours, ``accounts`` loads its increment (fresh), ``users`` is left behind (stale, past
the 24 h error threshold) and ``courses`` fails through the emulator's ``job_failed`` fault.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from loader.cli import main
from loader.schema import FRESHNESS_ERROR_HOURS, FRESHNESS_WARN_HOURS
from tests.helpers import query
from tests.integration.conftest import Loader

FRESH = ("canvas", "accounts")
STALE = ("canvas", "users")
FAILED = ("canvas", "courses")


def status(dsn: str, now: datetime, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["status", "--dsn", dsn, "--format", "json", "--now", now.isoformat()])
    out = capsys.readouterr().out
    return code, json.loads(out)


def states(report: dict) -> dict[str, str]:
    return {t["qualified"]: t["state"] for t in report["tables"]}


def test_status_follows_fresh_stale_and_failing_tables(
    make_loader: Callable[..., Loader], capsys: pytest.CaptureFixture[str]
) -> None:
    loader = make_loader((FRESH, STALE, FAILED))
    assert loader.run().ok
    emulator = loader.emulator
    start = datetime.fromisoformat(emulator.clock())

    code, report = status(loader.dsn, start, capsys)
    assert code == 0
    assert set(states(report).values()) == {"ok"}
    assert report["thresholds"] == {
        "warn_after_hours": FRESHNESS_WARN_HOURS,
        "error_after_hours": FRESHNESS_ERROR_HOURS,
    }

    emulator.advance(30)
    now = datetime.fromisoformat(emulator.clock())
    assert loader.run(tables=("canvas.accounts",)).ok
    emulator.add_faults({"route": "get_job", "kind": "job_failed", "rate": 1.0, "table": "courses"})
    assert not loader.run(tables=("canvas.courses",)).ok

    code, report = status(loader.dsn, now, capsys)
    assert code == 1
    assert states(report) == {
        "canvas.accounts": "ok",
        "canvas.users": "stale",
        "canvas.courses": "failing",
    }
    tables = {t["qualified"]: t for t in report["tables"]}
    assert tables["canvas.accounts"]["load_kind"] == "incremental"
    assert datetime.fromisoformat(tables["canvas.accounts"]["until"]) == now
    assert tables["canvas.users"]["load_kind"] == "snapshot"
    assert tables["canvas.users"]["age_hours"] == pytest.approx(30, abs=0.01)
    assert tables["canvas.users"]["last_error"] is None
    assert tables["canvas.courses"]["last_error"]
    assert tables["canvas.courses"]["last_success_at"] is not None  # the earlier snapshot
    assert report["ok"] is False

    # the text form says the same, one line per table and one per failure, and where dlt's
    # working directories are: dlt's own CLI reads the loader's pipelines from there
    capsys.readouterr()
    state = str(loader.state_dir)
    assert (
        main(["status", "--dsn", loader.dsn, "--now", now.isoformat(), "--state-dir", state]) == 1
    )
    text = capsys.readouterr().out
    assert "canvas.users" in text and "stale" in text
    assert "FAILED canvas.courses" in text
    found = re.search(r"dlt pipeline --pipelines-dir (\S+) cd2_<namespace>", text)
    assert found, text
    dlt = [str(Path(sys.executable).parent / "dlt"), "pipeline", "--pipelines-dir", found[1]]
    info = subprocess.run([*dlt, "cd2_canvas", "info"], capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, info.stderr
    assert "dataset_name: raw_canvas" in info.stdout and "accounts" in info.stdout
    trace = subprocess.run(
        [*dlt, "cd2_canvas", "trace"], capture_output=True, text=True, timeout=120
    )
    assert trace.returncode == 0, trace.stderr
    assert "Run started at" in trace.stdout

    # repaired: the failing table reloads, the stale one catches up
    emulator.clear_faults()
    assert loader.run(tables=("canvas.courses", "canvas.users")).ok
    code, report = status(loader.dsn, now, capsys)
    assert (code, set(states(report).values())) == (0, {"ok"})
    # ... and ages past the thresholds as time goes by
    code, report = status(loader.dsn, now + timedelta(hours=FRESHNESS_WARN_HOURS + 1), capsys)
    assert (code, set(states(report).values())) == (0, {"warn"})
    code, report = status(loader.dsn, now + timedelta(hours=FRESHNESS_ERROR_HOURS + 1), capsys)
    assert (code, set(states(report).values())) == (1, {"stale"})


def test_status_without_any_load_is_a_usage_error(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--dsn", database]) == 2
    assert "no load recorded" in capsys.readouterr().err


def test_status_counts_the_values_the_last_load_set_null(
    make_loader: Callable[..., Loader], capsys: pytest.CaptureFixture[str]
) -> None:
    loader = make_loader((FRESH, STALE))
    emulator = loader.emulator
    emulator.add_faults(
        {"route": "create_job", "kind": "poison", "table": "users", "column": "name", "count": 1}
    )
    assert loader.run().ok
    now = datetime.fromisoformat(emulator.clock())
    code, report = status(loader.dsn, now, capsys)
    rejected = {t["qualified"]: t["rejected"] for t in report["tables"]}
    refused = query(
        loader.dsn, "select count(*) from raw_canvas._dap_rejects where table_name = 'users'"
    )
    assert refused[0][0] > 0
    assert rejected == {"canvas.accounts": 0, "canvas.users": refused[0][0]}
    assert code == 0  # the table loaded; the rejects table says which values are missing
    capsys.readouterr()
    main(["status", "--dsn", loader.dsn, "--now", now.isoformat()])
    text = capsys.readouterr().out
    assert f"REJECTED canvas.users: {refused[0][0]:,} value(s)" in text
    assert "raw_canvas._dap_rejects" in text
    # the next load brings no refused value: the count follows the last load
    emulator.advance(1)
    assert loader.run().ok
    _, report = status(loader.dsn, datetime.fromisoformat(emulator.clock()), capsys)
    assert {t["qualified"]: t["rejected"] for t in report["tables"]}["canvas.users"] == 0
