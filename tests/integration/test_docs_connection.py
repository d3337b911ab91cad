"""``cd2 docs`` reads the database's catalog only when dbt can connect: the connection check
against a running PostgreSQL and against a closed port."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from loader.docs import database_answers
from tests.conftest import PgServer

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # two `dbt debug` runs


def _profile(directory: Path, port: int, user: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "profiles.yml").write_text(
        "cd2:\n  target: t\n  outputs:\n    t:\n      type: postgres\n      host: 127.0.0.1\n"
        f"      port: {port}\n      user: {user}\n      password: ''\n      dbname: postgres\n"
        "      schema: cd2\n      threads: 1\n      connect_timeout: 5\n",
        "utf-8",
    )


def test_database_answers_follows_the_connection(
    pg_server: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path / "up"))
    _profile(tmp_path / "up", pg_server.port, pg_server.user)
    assert database_answers(REPO, tmp_path / "target")

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    _profile(tmp_path / "down", closed, pg_server.user)
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path / "down"))
    assert not database_answers(REPO, tmp_path / "target")
