"""``cd2`` as a subprocess: SIGKILL mid-table and rerun, exit codes, one-line failures, no
secrets in the output, and the embedded warehouse commands."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loader.warehouse import shared_buffers_mb
from tests.helpers import (
    REPO,
    EmulatorProcess,
    assert_current_state_matches_truth,
    assert_raw_matches_jobs,
    env_without_dap,
    query,
    sync_log,
)

CLI_TABLES = (("canvas", "accounts"), ("canvas", "users"), ("canvas", "submissions"))


def cd2_env(emulator: EmulatorProcess, **extra: str) -> dict[str, str]:
    return env_without_dap(
        {
            **{k: v for k, v in emulator.env.items() if k.startswith("DAP_")},
            "SOURCES__DAP__RATE_LIMIT_SCALE": "0",
            "SOURCES__DAP__MAX_BACKOFF_SECONDS": "0.5",
            "SOURCES__DAP__MAX_RETRY_SECONDS": "60",
            "SOURCES__DAP__POLL_INITIAL_SECONDS": "0.05",
            "SOURCES__DAP__POLL_MAX_SECONDS": "0.5",
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            **extra,
        }
    )


def cd2(*args: str) -> list[str]:
    return [sys.executable, "-m", "loader", *args]


def load_args(database: str, tmp_path: Path, *extra: str) -> list[str]:
    tables = ",".join(f"{ns}.{t}" for ns, t in CLI_TABLES)
    return cd2(
        "load",
        "--namespace",
        "canvas",
        "--table",
        tables,
        "--dsn",
        database,
        "--state-dir",
        str(tmp_path / "state"),
        "--work-dir",
        str(tmp_path / "work"),
        *extra,
    )


def run_cd2(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def assert_converged(database: str, emulator: EmulatorProcess) -> None:
    for ns, table in CLI_TABLES:
        assert_current_state_matches_truth(database, emulator, ns, table)
    assert_raw_matches_jobs(database, emulator, CLI_TABLES)


def kill_mid_table(args: list[str], env: dict[str, str], marker: str, log: Path) -> None:
    """Start ``cd2 load``, wait for ``marker`` in its log, then SIGKILL it."""
    with log.open("w") as err:
        process = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if marker in log.read_text():
                time.sleep(0.5)  # inside the slowed download of that table
                break
            assert process.poll() is None, f"cd2 load ended early:\n{log.read_text()[-3000:]}"
            time.sleep(0.05)
        else:
            raise AssertionError(f"never saw {marker!r}:\n{log.read_text()[-3000:]}")
        assert process.poll() is None, "cd2 load finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(30)
    assert process.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_sigkill_mid_table_then_rerun_converges(
    emulator: EmulatorProcess, database: str, tmp_path: Path
) -> None:
    env = cd2_env(emulator)
    slow = {"route": "download", "kind": "slow", "delay": 5.0, "rate": 1.0, "table": "users"}

    # 1. the very first run (snapshot) dies inside canvas.users
    emulator.add_faults(slow)
    kill_mid_table(load_args(database, tmp_path), env, "canvas.users: snapshot", tmp_path / "1.log")
    emulator.clear_faults()
    rerun = run_cd2(load_args(database, tmp_path), env)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert_converged(database, emulator)
    assert list((tmp_path / "work").iterdir()) == []  # the killed run's downloads are gone
    log = sync_log(database, "canvas")
    assert sorted(r["table_name"] for r in log) == sorted(t for _, t in CLI_TABLES)
    assert {r["job_seq"] for r in log} == {1}

    # 2. an incremental run dies inside canvas.users: the watermark must not move
    emulator.advance(24)
    emulator.add_faults(slow)
    kill_mid_table(
        load_args(database, tmp_path), env, "canvas.users: incremental since", tmp_path / "2.log"
    )
    emulator.clear_faults()
    assert len(sync_log(database, "canvas")) == len(CLI_TABLES)  # nothing of the killed run
    rerun = run_cd2(load_args(database, tmp_path), env)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert_converged(database, emulator)
    users = [r for r in sync_log(database, "canvas") if r["table_name"] == "users"]
    assert [(r["load_kind"], r["job_seq"]) for r in users] == [("snapshot", 1), ("incremental", 2)]
    assert users[1]["since"] == users[0]["snapshot_at"]

    # 3. and the next cycle continues normally
    emulator.advance(24)
    again = run_cd2(load_args(database, tmp_path), env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert_converged(database, emulator)


def test_exit_codes_one_line_failures_and_no_secrets(
    emulator: EmulatorProcess, database: str, tmp_path: Path
) -> None:
    env = cd2_env(emulator)
    ok = run_cd2(load_args(database, tmp_path, "--log-level", "DEBUG"), env)
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert "canvas.users" in ok.stdout and "snapshot" in ok.stdout  # the summary table
    emulator.advance(24)
    emulator.add_faults(
        {
            "route": "create_job",
            "kind": "server_error",
            "status": 502,
            "rate": 1.0,
            "table": "users",
        },
        {"route": "download", "kind": "url_expiry", "count": 1},
        {"route": "get_job", "kind": "token_expiry", "count": 1},
    )
    failed = run_cd2(
        load_args(database, tmp_path, "--log-level", "DEBUG", "--log-format", "json"), env
    )
    assert failed.returncode == 1
    failures = [line for line in failed.stderr.splitlines() if line.startswith("FAILED ")]
    assert len(failures) == 1
    assert failures[0].startswith("FAILED canvas.users: ") and "HTTP 502" in failures[0]
    for line in failed.stderr.splitlines():
        if not line.startswith("FAILED "):
            json.loads(line)  # every log line is one JSON object
    everything = ok.stdout + ok.stderr + failed.stdout + failed.stderr
    secret = emulator.env["DAP_CLIENT_SECRET"]
    assert secret not in everything
    assert "eyJ" not in everything  # no JWT
    assert "sig=" not in everything and "expires=" not in everything  # no signed URL
    assert "Bearer " not in everything and "Basic " not in everything
    # the rerun converges
    emulator.clear_faults()
    rerun = run_cd2(load_args(database, tmp_path), env)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert_converged(database, emulator)


def test_bad_usage_exits_2(emulator: EmulatorProcess, database: str, tmp_path: Path) -> None:
    env = cd2_env(emulator)
    bad = run_cd2(load_args(database, tmp_path, "--namespace", "nonsense"), env)
    assert bad.returncode == 2 and "nonsense" in bad.stderr
    env.pop("DAP_CLIENT_SECRET")
    missing = run_cd2(load_args(database, tmp_path), env)
    assert missing.returncode == 2 and "DAP_CLIENT_SECRET" in missing.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_embedded_warehouse_commands_and_default_destination(
    emulator: EmulatorProcess, open_tmp_path: Path
) -> None:
    port = str(free_port())
    state = open_tmp_path / "project-state"
    env = cd2_env(emulator, CD2_WAREHOUSE_PORT=port, CD2_STATE_DIR=str(state))
    try:
        up = run_cd2(cd2("warehouse", "up"), env)
        assert up.returncode == 0, up.stderr
        dsn = up.stdout.strip()
        password = (state / "warehouse" / "password").read_text().strip()
        assert dsn == f"postgresql://cd2:{password}@127.0.0.1:{port}/cd2"
        assert run_cd2(cd2("warehouse", "up"), env).stdout.strip() == dsn  # idempotent
        assert run_cd2(cd2("warehouse", "url"), env).stdout.strip() == dsn
        lines = run_cd2(cd2("warehouse", "url", "--env"), env).stdout.splitlines()
        assert f"export PGPORT={port}" in lines and "export PGUSER=cd2" in lines
        status = run_cd2(cd2("warehouse", "status"), env)
        assert status.returncode == 0 and status.stdout.startswith("running")
        # no --dsn and no DESTINATION__POSTGRES__CREDENTIALS: the embedded warehouse
        load = run_cd2(cd2("load", "--table", "canvas.accounts", "--namespace", "canvas"), env)
        assert load.returncode == 0, load.stderr[-3000:]
        assert query(dsn, "select count(*) > 0 from raw_canvas.accounts") == [(True,)]
        buffers_mb = shared_buffers_mb()
        assert 128 <= buffers_mb <= 1024
        sized = "select pg_size_bytes(current_setting('shared_buffers'))"
        assert query(dsn, sized) == [(buffers_mb * 2**20,)]
    finally:
        down = run_cd2(cd2("warehouse", "down"), env)
    assert down.returncode == 0 and down.stdout.strip() == "stopped"
    status = run_cd2(cd2("warehouse", "status"), env)
    assert status.returncode == 1 and status.stdout.startswith("stopped")


def test_destination_credentials_given_field_by_field(
    emulator: EmulatorProcess, database: str, tmp_path: Path
) -> None:
    from urllib.parse import urlsplit

    url = urlsplit(database)
    prefix = "DESTINATION__POSTGRES__CREDENTIALS__"
    fields = {
        f"{prefix}HOST": url.hostname or "",
        f"{prefix}PORT": str(url.port),
        f"{prefix}USERNAME": url.username or "",
        f"{prefix}PASSWORD": "p@ss/w:rd #%",  # the test server trusts; the DSN must still parse
        f"{prefix}DATABASE": url.path.lstrip("/"),
    }
    args = load_args(database, tmp_path)
    dsn_at = args.index("--dsn")
    del args[dsn_at : dsn_at + 2]
    loaded = run_cd2(args, cd2_env(emulator, **fields))
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert query(database, "select count(*) from raw_canvas.accounts")[0][0] > 0
    assert not (tmp_path / "state" / "warehouse").exists()  # not the embedded warehouse
    assert fields[f"{prefix}PASSWORD"] not in loaded.stdout + loaded.stderr
    # fields set in part: a clear error, not a load into the embedded warehouse
    partial = run_cd2(args, cd2_env(emulator, **{f"{prefix}HOST": url.hostname or ""}))
    assert partial.returncode == 2, partial.stderr[-3000:]
    assert "set in part" in partial.stderr and prefix in partial.stderr
    assert not (tmp_path / "state" / "warehouse").exists()
