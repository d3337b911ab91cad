"""End-to-end fixtures: the emulator in-process, a fresh database loaded by ``cd2 load``, and
``dbt build`` over it (tests/conftest.py's ``pg_server`` provides the PostgreSQL server).

The scale is ``tiny`` unless ``CD2_E2E_SCALE`` says otherwise.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg2
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from emulator.server import Emulator, Settings
from tests.conftest import PgServer

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATABASE = "cd1_e2e"


def _run(
    args: list[str], env: dict[str, str], log: Path, timeout: int = 2400, check: bool = True
) -> int:
    """Run a command, keeping its output in ``log``; with ``check``, fail on a non-zero exit
    (showing the output's tail). Returns the exit code."""
    result = subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    log.write_text(result.stdout + result.stderr, "utf-8")
    if check and result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        pytest.fail(f"{' '.join(args[:3])} exited {result.returncode} (log {log}):\n{tail}")
    return result.returncode


@dataclass
class Warehouse:
    """A database loaded from the emulator and built by dbt.

    Attributes:
        dsn: connection string of the database.
        emulator: the emulator it was loaded from.
        env: environment for ``cd2`` and ``dbt`` (DAP credentials, DSN, profiles dir).
        work: scratch directory (logs, dbt target, loader state).
        run_results: dbt's run_results.json of the last full ``dbt build``.
    """

    dsn: str
    emulator: Emulator
    env: dict[str, str]
    work: Path
    run_results: dict[str, Any]

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a query."""
        with psycopg2.connect(self.dsn) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall())

    def truth(self, namespace: str, table: str) -> pa.Table:
        """The emulator's ground truth of a table at its clock (GET /_emulator/truth)."""
        response = httpx.get(
            f"{self.emulator.url}/_emulator/truth/{namespace}/{table}", timeout=300
        )
        response.raise_for_status()
        return pq.read_table(io.BytesIO(response.content))

    def load(self, name: str, *args: str, check: bool = True) -> int:
        """Run ``cd2 load`` against the emulator (``args``: more ``cd2 load`` options); with
        ``check``, fail on a non-zero exit. Returns the exit code."""
        cd2 = BIN / "cd2"
        command = [str(cd2)] if cd2.exists() else [sys.executable, "-m", "loader"]
        return _run(
            command
            + ["load", "--dsn", self.dsn, "--state-dir", str(self.work / "state")]
            + ["--work-dir", str(self.work / "downloads")]
            + list(args),
            self.env,
            self.work / f"{name}.log",
            check=check,
        )

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """Call the emulator's admin route ``/_emulator/<path>``; fail unless it answers 200."""
        response = httpx.request(
            method, f"{self.emulator.url}/_emulator/{path}", json=body, timeout=300
        )
        assert response.status_code == 200, f"{method} {path}: {response.text}"
        return response.json()

    def dbt(self, name: str, *args: str, check: bool = True) -> int:
        """Run a dbt command on this database (own target and log paths)."""
        return _run(
            [str(BIN / "dbt"), *args, "--project-dir", str(REPO)]
            + ["--profiles-dir", str(self.work), "--target-path", str(self.work / "target")]
            + ["--log-path", str(self.work / "logs")],
            self.env,
            self.work / f"{name}.log",
            check=check,
        )

    def build(self, name: str) -> None:
        """``dbt build``. A failing node does not stop the session: test_dbt_build_is_green
        reports it from run_results, and the fact tests check what was built."""
        self.dbt(name, "build", "--threads", "4", check=False)
        self.run_results = json.loads((self.work / "target" / "run_results.json").read_text())


@pytest.fixture(scope="session")
def e2e_emulator() -> Iterator[Emulator]:
    """The DAP emulator, in-process on a free port (seed 1)."""
    scale = os.environ.get("CD2_E2E_SCALE", "tiny")
    emulator = Emulator(Settings(port=0, seed=1, scale=scale))
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.shutdown()


def create_warehouse(
    pg_server: PgServer, emulator: Emulator, work: Path, database: str
) -> Warehouse:
    """A fresh, empty database ``database`` with a dbt profile and a ``cd2``/``dbt`` environment
    pointing at it and at ``emulator``; nothing loaded yet."""
    conn = psycopg2.connect(pg_server.dsn)
    try:
        conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with conn.cursor() as cur:
            cur.execute(f"drop database if exists {database}")
            cur.execute(f"create database {database}")
    finally:
        conn.close()
    dsn = pg_server.url(database)
    (work / "profiles.yml").write_text(
        "cd2:\n  target: e2e\n  outputs:\n    e2e:\n      type: postgres\n"
        f"      host: {pg_server.host}\n      port: {pg_server.port}\n"
        f"      user: {pg_server.user}\n      password: ''\n      dbname: {database}\n"
        "      schema: cd2\n      threads: 4\n",
        "utf-8",
    )
    settings = emulator.settings
    env = {
        **os.environ,
        "DAP_API_URL": emulator.url,
        "DAP_CLIENT_ID": settings.client_id,
        "DAP_CLIENT_SECRET": settings.client_secret,
        "DESTINATION__POSTGRES__CREDENTIALS": dsn,
        # The emulator enforces no per-minute limits; the documented ones would make a load of
        # ~90 tables wait ~18 minutes for job-creation slots.
        "SOURCES__DAP__RATE_LIMIT_SCALE": "0",
        # The emulator's data is shard 1 (its cross-shard users are shard 7); dbt refuses to run
        # without an explicit shard (macros/cd1/cd1_shard_id.sql).
        "CD2_SHARD_ID": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }
    return Warehouse(dsn, emulator, env, work, {})


@pytest.fixture(scope="session")
def cd1_warehouse(
    pg_server: PgServer, e2e_emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Warehouse:
    """A fresh database with the emulator loaded by ``cd2 load`` and ``dbt build`` run on it."""
    warehouse = create_warehouse(
        pg_server, e2e_emulator, tmp_path_factory.mktemp("cd1_e2e"), DATABASE
    )
    # the catalog namespace too (not a default: Canvas Catalog is a separate product), so the CD1
    # Canvas Catalog tables have rows
    warehouse.load("load-1", "--namespace", "canvas,canvas_logs,catalog")
    warehouse.build("build-1")
    return warehouse


@dataclass
class ParsedProject:
    """The dbt project parsed once (``dbt parse``), for tests that need only its manifest.

    Attributes:
        work: folder holding ``profiles.yml`` (a copy of profiles.example.yml; no database).
        target: dbt's target path; later dbt runs with the same path and profile parse
            partially (only what changed: nothing).
        env: environment for ``cd2``/``dbt`` subprocesses using them.
    """

    work: Path
    target: Path
    env: dict[str, str]


@pytest.fixture(scope="session")
def parsed_project(tmp_path_factory: pytest.TempPathFactory) -> ParsedProject:
    """``dbt parse`` of the repository, once per session (tests/e2e/test_docs_site.py and
    test_selectors.py build on it)."""
    work = tmp_path_factory.mktemp("parsed")
    (work / "profiles.yml").write_text((REPO / "profiles.example.yml").read_text("utf-8"))
    env = {**os.environ, "DBT_PROFILES_DIR": str(work), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    project = ParsedProject(work, work / "target", env)
    _run(
        [str(BIN / "dbt"), "parse", "--quiet", "--project-dir", str(REPO)]
        + ["--target-path", str(project.target), "--log-path", str(work / "logs")],
        env,
        work / "parse.log",
    )
    return project
