"""Shared helpers for loader tests: the emulator as a subprocess, and assertions on raw tables.

Assertions compare what the loader wrote with what the emulator says it served:

* :func:`assert_raw_matches_jobs`: per table and per job, the rows in raw (by ``_dap_job_id``)
  equal the emulator's row count of that job's objects;
* :func:`assert_current_state_matches_truth`: the current state derived from raw (latest record
  per key by ``meta_ts`` and ``_dap_change_order``, since the newest snapshot, deletes dropped)
  equals the emulator's ground truth, by key set and by row content;
* :func:`assert_no_failed_tables`: a run report without failures.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg2
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
LOG_TABLES = {("canvas_logs", "web_logs")}

# Strings that break naive text handling: empty vs NULL, separators, escapes, unicode.
NASTY: list[str] = [
    "",
    "plain",
    "tab\there",
    "new\nline",
    "carriage\rreturn\r\n",
    "back\\slash",
    "\\n is not a newline",
    "\\\\",
    "\\N",
    "NULL",
    "trailing backslash\\",
    "ünïcødé 😀 中文 عربى",
    "quote \"double\" and 'single'",
    "comma, semicolon; pipe|",
    "\b\f\v controls",
    "a\x01b\x1fc",
    "  leading and trailing spaces  ",
    "__cd2_oversized_truncated__",
]


def copy_escape(value: str | None) -> str:
    """PostgreSQL COPY text escaping, one character at a time (reference for TSV tests)."""
    if value is None:
        return "\\N"
    table = {
        "\\": "\\\\",
        "\t": "\\t",
        "\n": "\\n",
        "\r": "\\r",
        "\b": "\\b",
        "\f": "\\f",
        "\v": "\\v",
    }
    return "".join(table.get(c, c) for c in value)


# --------------------------------------------------------------------------- the emulator


@dataclass
class EmulatorProcess:
    """A ``cd2-emulator serve`` subprocess and its admin routes.

    Attributes:
        process: the subprocess.
        env: the ``DAP_*`` variables it printed.
        url: its base URL.
        log: its stderr log file.
    """

    process: subprocess.Popen[str]
    env: dict[str, str]
    url: str
    log: Path
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.url, timeout=300)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """Call ``/_emulator/<path>``; assert success; return the JSON body."""
        r = self.http.request(method, f"/_emulator/{path}", json=body)
        assert r.status_code == 200, f"{method} {path}: {r.status_code} {r.text}"
        return r.json()

    def advance(self, hours: float) -> dict[str, Any]:
        """Move the emulator clock forward."""
        result: dict[str, Any] = self.admin("POST", "advance", {"hours": hours})
        return result

    def clock(self) -> str:
        """The emulator clock (RFC 3339)."""
        return str(self.admin("GET", "status")["clock"])

    def add_faults(self, *rules: dict[str, Any]) -> None:
        """Add fault rules."""
        self.admin("POST", "faults", list(rules))

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.admin("DELETE", "faults")

    def faults(self) -> list[dict[str, Any]]:
        """Fault rules with their hit counters."""
        return list(self.admin("GET", "faults")["faults"])

    def jobs(self) -> list[dict[str, Any]]:
        """Every job the emulator emitted, with its objects' row counts."""
        return list(self.admin("GET", "jobs")["jobs"])

    def requests(self) -> dict[str, dict[str, int]]:
        """Request counters per route and status."""
        return dict(self.admin("GET", "requests")["requests"])

    def truth(self, namespace: str, table: str) -> list[dict[str, Any]]:
        """The ground truth of a table at the emulator clock."""
        r = self.http.get(f"/_emulator/truth/{namespace}/{table}")
        assert r.status_code == 200, r.text
        return list(pq.read_table(io.BytesIO(r.content)).to_pylist())

    def stop(self) -> None:
        """Stop the subprocess (ours; by pid)."""
        self.http.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@contextmanager
def emulator_process(workdir: Path, *args: str) -> Iterator[EmulatorProcess]:
    """Run ``cd2-emulator serve --port 0 <args>`` for the duration of the block.

    Args:
        workdir: directory for its state and log.
        *args: extra ``serve`` arguments (``--scale tiny`` is the default scale).

    Yields:
        The running emulator.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "emulator.log"
    argv = [sys.executable, "-m", "emulator", "serve", "--port", "0"]
    if "--scale" not in args:
        argv += ["--scale", "tiny"]
    argv += ["--state-dir", str(workdir / "emulator-state"), *args]
    with log.open("w") as err:
        process = subprocess.Popen(
            argv, cwd=REPO, stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1
        )
    env: dict[str, str] = {}
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while "CD2_EMULATOR_URL" not in env and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("export "):
            name, _, value = line[7:].strip().partition("=")
            env[name] = value.strip("'\"")
    if "DAP_API_URL" not in env:
        process.kill()
        raise RuntimeError(f"the emulator did not start: {log.read_text()[-2000:]}")
    emu = EmulatorProcess(process, env, env["DAP_API_URL"], log)
    try:
        yield emu
    finally:
        emu.stop()


# --------------------------------------------------------------------------- the database


def query(dsn: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, params or None)
        rows = list(cur.fetchall())
    conn.close()
    return rows


def raw_table(table: str) -> str:
    """The raw table name dlt gives a CD2 table (snake_case)."""
    import re

    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", table).lower()


def raw_counts_by_job(dsn: str, namespace: str, table: str) -> dict[str, int]:
    """Rows per ``_dap_job_id`` in a raw table."""
    rows = query(
        dsn,
        f'select _dap_job_id, count(*) from "raw_{namespace}"."{raw_table(table)}" group by 1',
    )
    return {str(job): int(n) for job, n in rows}


def sync_log(dsn: str, namespace: str) -> list[dict[str, Any]]:
    """The ``_dap_sync_log`` rows of a namespace, oldest first."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(f'select * from "raw_{namespace}"._dap_sync_log order by started_at')
        names = [d[0] for d in cur.description or ()]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    conn.close()
    return rows


# --------------------------------------------------------------------------- assertions


def assert_no_failed_tables(report: Any) -> None:
    """A run report with every table ok and no run-level error."""
    assert report.ok, "failures:\n" + "\n".join(report.failure_lines())


def assert_raw_matches_jobs(
    dsn: str, emu: EmulatorProcess, tables: Iterable[tuple[str, str]]
) -> None:
    """Per table and per loaded job: raw rows equal the emulator's rows for that job.

    Every job id found in raw must be an emulator job of that table, and every complete job the
    loader recorded as ``ok``/``resnapshot`` in the sync log must be fully present.
    """
    jobs = {j["id"]: j for j in emu.jobs()}
    for namespace, table in tables:
        counts = raw_counts_by_job(dsn, namespace, table)
        loaded = {
            r["job_id"]
            for r in sync_log(dsn, namespace)
            if r["table_name"] == table and r["status"] in ("ok", "resnapshot")
        }
        for job_id in loaded:
            assert job_id in jobs, f"{namespace}.{table}: job {job_id} unknown to the emulator"
            want = sum(o["rows"] for o in jobs[job_id]["objects"])
            got = counts.get(job_id, 0)
            # a job the emulator re-used for an identical query may legitimately be loaded twice
            times = sum(
                1
                for r in sync_log(dsn, namespace)
                if r["table_name"] == table and r["job_id"] == job_id and r["status"] != "failed"
            )
            assert got == want * times, f"{namespace}.{table} job {job_id}: raw {got} != {want}"
        for job_id in counts:
            assert job_id in jobs, f"{namespace}.{table}: raw rows of unknown job {job_id}"
            assert jobs[job_id]["table"] == table and jobs[job_id]["namespace"] == namespace


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        # an instant, whatever the session time zone printed it in
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def current_state(dsn: str, namespace: str, table: str, key: str = "id") -> dict[Any, dict]:
    """The current state of a table from raw, the way the dbt base models derive it."""
    full_state = (namespace, table) not in LOG_TABLES
    raw = f'"raw_{namespace}"."{raw_table(table)}"'
    snapshot_filter = (
        f"where _dap_job_seq >= (select max(_dap_job_seq) from {raw} "
        "where _dap_load_kind = 'snapshot')"
        if full_state
        else ""
    )
    sql = (
        f"select distinct on ({key}) * from {raw} {snapshot_filter} "
        f"order by {key}, meta_ts desc, _dap_change_order desc"
    )
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql)
        names = [d[0] for d in cur.description or ()]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    conn.close()
    return {r[key]: r for r in rows if r["meta_action"] != "D"}


def row_hash(row: dict[str, Any], columns: Iterable[str]) -> str:
    """A hash of a row's canonical values in the given columns."""
    parts = [f"{c}={_canonical(row.get(c))!r}" for c in sorted(columns)]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


def assert_current_state_matches_truth(
    dsn: str,
    emu: EmulatorProcess,
    namespace: str,
    table: str,
    key: str = "id",
    state: dict[Any, dict] | None = None,
) -> None:
    """Current state from raw equals the emulator's ground truth: key set and row content.

    ``state`` is the current state to compare (default: derived from raw in ``dsn``;
    :func:`lake_current_state` derives it from a lake's Parquet files).
    """
    truth_rows = emu.truth(namespace, table)
    if state is None:
        state = current_state(dsn, namespace, table, key)
    json_columns = {
        name
        for row in state.values()
        for name, value in row.items()
        if isinstance(value, dict | list)
    }
    truth: dict[Any, dict] = {}
    for row in truth_rows:
        row = dict(row)
        for name in json_columns:  # the truth has JSON text where raw has jsonb
            if isinstance(row.get(name), str):
                row[name] = json.loads(row[name])
        truth[row[key]] = row
    if (namespace, table) in LOG_TABLES:
        missing = set(truth) - set(state)
        assert not missing, f"{namespace}.{table}: {len(missing)} keys missing from raw"
        state = {k: v for k, v in state.items() if k in truth}
    assert set(state) == set(truth), (
        f"{namespace}.{table}: keys differ: {len(set(truth) - set(state))} missing, "
        f"{len(set(state) - set(truth))} extra"
    )
    columns = [c for c in (truth_rows[0] if truth_rows else {}) if c != "meta_ts"]
    bad = [k for k in truth if row_hash(truth[k], columns) != row_hash(state[k], columns)]
    if bad:
        k = bad[0]
        diff = {
            c: (truth[k].get(c), state[k].get(c))
            for c in columns
            if _canonical(truth[k].get(c)) != _canonical(state[k].get(c))
        }
        raise AssertionError(f"{namespace}.{table}: {len(bad)} rows differ; key {k}: {diff}")


# --------------------------------------------------------------------------- a lake


def lake_rows(lake: Path, namespace: str, table: str) -> list[dict[str, Any]]:
    """Every row of a raw table in a local lake (the Parquet files of its folder)."""
    folder = lake / f"raw_{namespace}" / raw_table(table)
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return rows


def lake_sync_log(lake: Path, namespace: str) -> list[dict[str, Any]]:
    """The ``_dap_sync_log`` rows of a namespace in a local lake, oldest first."""
    rows = lake_rows(lake, namespace, "_dap_sync_log")
    return sorted(rows, key=lambda r: r["started_at"])


def lake_current_state(
    lake: Path, namespace: str, table: str, key: str = "id"
) -> dict[Any, dict[str, Any]]:
    """The current state of a table from a local lake, the way the dbt base models derive it
    (newest snapshot job on, latest record per key by ``meta_ts`` then change order, deletes
    dropped); JSON text is parsed, as PostgreSQL's raw ``jsonb`` columns are."""
    rows = lake_rows(lake, namespace, table)
    if (namespace, table) not in LOG_TABLES:
        snapshots = [r["_dap_job_seq"] for r in rows if r["_dap_load_kind"] == "snapshot"]
        if snapshots:
            newest = max(snapshots)
            rows = [r for r in rows if r["_dap_job_seq"] >= newest]
    latest: dict[Any, dict[str, Any]] = {}
    for row in rows:
        held = latest.get(row[key])
        if held is None or (row["meta_ts"], row["_dap_change_order"]) > (
            held["meta_ts"],
            held["_dap_change_order"],
        ):
            latest[row[key]] = row
    for row in latest.values():
        for name, value in row.items():
            if isinstance(value, str) and value[:1] in ("{", "["):
                with suppress(ValueError):
                    row[name] = json.loads(value)
    return {k: r for k, r in latest.items() if r["meta_action"] != "D"}


def job_seqs(dsn: str, namespace: str, table: str) -> list[int]:
    """Distinct ``_dap_job_seq`` values of a raw table, ascending."""
    rows = query(
        dsn,
        f'select distinct _dap_job_seq from "raw_{namespace}"."{raw_table(table)}" order by 1',
    )
    return [int(r[0]) for r in rows]


def assert_change_order_unique(dsn: str, namespace: str, table: str) -> None:
    """``_dap_change_order`` is unique within a raw table."""
    ((total, distinct),) = query(
        dsn,
        f'select count(*), count(distinct _dap_change_order) from "raw_{namespace}".'
        f'"{raw_table(table)}"',
    )
    assert total == distinct, f"{namespace}.{table}: {total - distinct} duplicate change orders"


def env_without_dap(extra: dict[str, str]) -> dict[str, str]:
    """The current environment minus any DAP/dlt settings, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DAP_", "SOURCES__", "DESTINATION__", "CD2_"))
    }
    env.update(extra)
    return env


def pg_array(text: str) -> list[str | None]:
    """A one-dimensional PostgreSQL array literal such as ``{a,"b c",NULL}`` (psycopg2 returns
    arrays of enum types as this text)."""
    assert text.startswith("{") and text.endswith("}"), text
    out: list[str | None] = []
    i, body = 0, text[1:-1]
    while i < len(body):
        if body[i] == '"':
            j, buf = i + 1, []
            while body[j] != '"':
                if body[j] == "\\":
                    j += 1
                buf.append(body[j])
                j += 1
            out.append("".join(buf))
            i = j + 2
        else:
            j = body.find(",", i)
            j = len(body) if j < 0 else j
            item = body[i:j]
            out.append(None if item == "NULL" else item)
            i = j + 1
    return out
