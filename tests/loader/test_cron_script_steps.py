"""The steps ``scripts/cd2-cron`` chains (README, "Production recipes"), with stand-ins for ``cd2``
and ``dbt`` that record their arguments (tests/e2e/test_cron_script.py runs the real ones): the
refresh and the nightly build differ only in the selector, pass no ``--vars`` (a var on the
command line makes dbt parse the whole project again), and stop at the first failing step with
its exit code."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "$CALLS"
case "$(basename "$0") $1" in "$FAIL") exit 3 ;; esac
exit 0
"""


def _cron(tmp_path: Path, mode: str, fail: str = "") -> tuple[int, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("cd2", "dbt"):
        (bin_dir / name).write_text(STUB)
        (bin_dir / name).chmod(0o755)
    calls = tmp_path / f"calls-{mode}"
    env = {
        "PATH": os.environ["PATH"],
        "CD2_BIN": str(bin_dir),
        "CALLS": str(calls),
        "FAIL": fail,
        "PGHOST": "db.example.edu",  # else the script asks `cd2 warehouse url --env`
        "DBT_PROFILES_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [str(REPO / "scripts" / "cd2-cron"), mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, calls.read_text().splitlines() if calls.exists() else []


@pytest.mark.parametrize("mode", ["refresh", "nightly"])
def test_cron_runs_load_build_with_its_selector_then_status(tmp_path: Path, mode: str) -> None:
    code, calls = _cron(tmp_path, mode)
    assert code == 0
    assert calls == ["cd2 load", f"dbt build --selector {mode}", "cd2 status"]


def test_cron_stops_at_the_first_failing_step_with_its_exit_code(tmp_path: Path) -> None:
    code, calls = _cron(tmp_path, "nightly", fail="dbt build")
    assert code == 3
    assert calls == ["cd2 load", "dbt build --selector nightly"]
    code, _ = _cron(tmp_path, "weekly")
    assert code == 2
