"""Fixtures for loader integration tests: the emulator (a ``cd2-emulator serve`` subprocess, real
HTTP), a fresh database per test on the session's embedded PostgreSQL (``pg_server`` from
``tests/conftest.py``), and a loader bound to both.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from loader.config import DapCredentials, LoadSettings
from loader.dap.client import ClientSettings, DapClient
from loader.dap.policy import RetryPolicy
from loader.pipeline import run
from loader.report import RunReport
from tests.conftest import PgServer
from tests.helpers import EmulatorProcess, emulator_process

# Representative tables: nested objects, arrays, hard deletes, growth, a uuid-keyed log.
TABLES: tuple[tuple[str, str], ...] = (
    ("canvas", "accounts"),
    ("canvas", "users"),
    ("canvas", "courses"),
    ("canvas", "enrollments"),
    ("canvas", "assignments"),
    ("canvas", "submissions"),
    ("canvas", "quiz_questions"),
    ("canvas_logs", "web_logs"),
)

FAST_RETRIES = RetryPolicy(
    max_attempts=8, initial_delay=0.05, multiplier=2, max_delay=1.0, max_elapsed=120
)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """A fresh emulator (seed 1, scale tiny) for one test."""
    with emulator_process(tmp_path / "emu", "--seed", "1") as emu:
        yield emu


@pytest.fixture
def database(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database for one test; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    _admin(pg_server, f'create database "{name}"')
    try:
        yield pg_server.url(name)
    finally:
        # A connection of its own: one held open across the test could be gone by now.
        _admin(pg_server, f'drop database if exists "{name}" with (force)')


def _admin(pg_server: PgServer, statement: str) -> None:
    conn = psycopg2.connect(pg_server.dsn)
    try:
        conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@dataclass
class Loader:
    """Runs ``loader.pipeline.run`` in-process against one emulator and one database.

    Attributes:
        emulator: the emulator.
        dsn: the database.
        state_dir: dlt working directories and temp files.
        settings: base load settings (tests override fields per call).
    """

    emulator: EmulatorProcess
    dsn: str
    state_dir: Path
    settings: LoadSettings

    def credentials(self) -> DapCredentials:
        env = self.emulator.env
        return DapCredentials(env["DAP_API_URL"], env["DAP_CLIENT_ID"], env["DAP_CLIENT_SECRET"])

    def client(self, settings: LoadSettings) -> DapClient:
        creds = self.credentials()
        return DapClient(
            creds.client_id,
            creds.client_secret,
            ClientSettings(
                base_url=creds.base_url,
                retry=FAST_RETRIES,
                rate_limits={},
                download_concurrency=settings.download_concurrency,
                poll_initial=0.05,
                poll_max=0.5,
                job_attempts=3,
            ),
        )

    def run(self, **overrides: Any) -> RunReport:
        """One ``cd2 load`` run; keyword arguments override :class:`LoadSettings` fields."""
        settings = replace(self.settings, **overrides)
        client = self.client(settings)
        try:
            return run(settings, client=client)
        finally:
            client.close()


@pytest.fixture
def make_loader(emulator: EmulatorProcess, database: str, tmp_path: Path) -> Callable[..., Loader]:
    """Build a :class:`Loader` for this test's emulator and database."""

    def make(selected: tuple[tuple[str, str], ...] = TABLES, **settings: Any) -> Loader:
        """Settings for the ``selected`` tables (empty: every table), with overrides."""
        base = LoadSettings(
            namespaces=tuple(dict.fromkeys(ns for ns, _ in selected)) or ("canvas", "canvas_logs"),
            tables=tuple(f"{ns}.{t}" for ns, t in selected),
            dsn=database,
            state_dir=tmp_path / "state",
            work_dir=tmp_path / "work",
            concurrency=4,
            rate_limit_scale=0,
        )
        return Loader(emulator, database, tmp_path / "state", replace(base, **settings))

    return make


@pytest.fixture
def loader(make_loader: Callable[..., Loader]) -> Loader:
    """A loader for the representative tables."""
    return make_loader()
