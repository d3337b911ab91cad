"""``cd2-emulator``: ``serve`` in a subprocess, and the client subcommands against it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest

CLI = [sys.executable, "-m", "emulator"]


def start_serve(args: list[str], timeout: float = 60.0) -> tuple[subprocess.Popen[str], dict]:
    """Start ``cd2-emulator serve`` and parse the export lines it prints."""
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - lives as long as the process
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    env: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while "CD2_EMULATOR_URL" not in env:
        line = proc.stdout.readline()
        if not line:
            log.seek(0)
            raise AssertionError(f"emulator exited early: {log.read()}")
        assert line.startswith("export "), line
        key, _, value = line[len("export ") :].strip().partition("=")
        env[key] = value.strip("'")
        assert time.monotonic() < deadline
    return proc, env


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict]]:
    faults = tmp_path / "faults.json"
    faults.write_text(
        json.dumps({"faults": [{"route": "schema", "kind": "rate_limit", "count": 1}]})
    )
    proc, env = start_serve(
        [
            "--scale",
            "tiny",
            "--seed",
            "4",
            "--job-polls",
            "0",
            "--rows-per-object",
            "7",
            "--state-dir",
            str(tmp_path / "state"),
            "--faults",
            str(faults),
            "--token-lifetime",
            "600",
        ]
    )
    yield proc, env
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args, "--url", env["CD2_EMULATOR_URL"]],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )


def test_serve_prints_the_environment(served: tuple[subprocess.Popen[str], dict]) -> None:
    _, env = served
    assert env["DAP_API_URL"].startswith("http://127.0.0.1:")
    assert env["DAP_CLIENT_ID"] == "us-east-1#emulator"
    assert env["DAP_CLIENT_SECRET"] == "emulator-secret"
    status = httpx.get(env["DAP_API_URL"] + "/_emulator/status").json()
    assert status["seed"] == 4 and status["config"]["rows_per_object"] == 7
    assert status["config"]["token_lifetime"] == 600


def test_client_subcommands(served: tuple[subprocess.Popen[str], dict], tmp_path: Path) -> None:
    proc, env = served
    listed = json.loads(_cli(env, "faults", "list").stdout)["faults"]
    assert listed[0]["route"] == "schema" and listed[0]["kind"] == "rate_limit"

    out = _cli(env, "advance", "--hours", "5")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["clock"] == "2026-10-01T05:00:00Z"

    target = tmp_path / "courses.parquet"
    out = _cli(env, "truth", "--namespace", "canvas", "--table", "courses", "--out", str(target))
    assert out.returncode == 0, out.stderr
    assert pq.read_table(target).num_rows >= 4

    out = _cli(env, "prepare", "--table", "accounts", "--format", "csv")
    assert json.loads(out.stdout)["status"] == "complete", out.stderr

    out = _cli(env, "schema-bump", "--table", "courses", "--column", "colour")
    assert json.loads(out.stdout)["version"] == 2
    out = _cli(
        env,
        "schema-bump",
        "--table",
        "courses",
        "--kind",
        "change_type",
        "--column",
        "colour",
        "--type",
        "bigint",
    )
    body = json.loads(out.stdout)
    assert body["version"] == 3
    assert body["schema"]["properties"]["value"]["properties"]["colour"]["type"] == "integer"
    out = _cli(
        env, "schema-bump", "--table", "courses", "--kind", "drop_column", "--column", "colour"
    )
    assert "colour" not in json.loads(out.stdout)["schema"]["properties"]["value"]["properties"]
    out = _cli(env, "reload", "--table", "users")
    assert json.loads(out.stdout)["table"] == "users"

    out = _cli(env, "faults", "add", "--route", "download", "--kind", "reset", "--count", "2")
    assert json.loads(out.stdout)["added"][0]["remaining"] == 2
    assert json.loads(_cli(env, "faults", "clear").stdout) == {"removed": 2}

    out = _cli(env, "config", "job_polls=2", "url_lifetime=30")
    assert json.loads(out.stdout)["job_polls"] == 2
    out = _cli(env, "config", "tsv_escapes=octal")
    assert json.loads(out.stdout)["tsv_escapes"] == "octal", out.stderr

    out = _cli(
        env,
        "faults",
        "add",
        "--route",
        "create_job",
        "--kind",
        "poison",
        "--table",
        "users",
        "--column",
        "name",
        "--value-kind",
        "json_nul",
        "--rows",
        "3",
    )
    added = json.loads(out.stdout)["added"][0]
    assert (added["value_kind"], added["column"], added["rows"]) == ("json_nul", "name", 3)
    assert json.loads(_cli(env, "faults", "clear").stdout) == {"removed": 1}

    out = _cli(env, "truth", "--table", "nope", "--out", str(tmp_path / "x.parquet"))
    assert out.returncode != 0 and "nope" in out.stderr

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def test_client_reports_an_unreachable_emulator() -> None:
    out = subprocess.run(
        [*CLI, "advance", "--hours", "1", "--url", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0 and "cannot reach" in out.stderr
