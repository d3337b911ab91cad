"""Conformance with the official client (instructure-dap-client 2.3.1, its own virtualenv).

The ``dap`` executable is found through ``$DAP_CLI`` or ``.venv-dap/bin/dap`` (``make setup``
creates it). Without it these tests are skipped locally; CI has it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from emulator.schema import json_schema
from emulator.server import Emulator
from tests.helpers import pg_array

from .conftest import Api, read_parquet_bytes
from .readers import decode_jsonl, parse_csv, parse_tsv

REPO = Path(__file__).resolve().parents[2]
CANVAS_TABLES = ["accounts", "courses", "users", "enrollments", "assignments", "submissions"]


def _find_dap() -> str | None:
    env = os.environ.get("DAP_CLI")
    if env and Path(env).is_file():
        return env
    local = REPO / ".venv-dap" / "bin" / "dap"
    return str(local) if local.is_file() else None


DAP = _find_dap()
pytestmark = [
    pytest.mark.dapclient,
    pytest.mark.slow,
    pytest.mark.skipif(
        DAP is None,
        reason="official dap client not found: set DAP_CLI or run `make setup` (.venv-dap)",
    ),
]


def dap(emu: Emulator, *args: str, dsn: str | None = None, cwd: Path | None = None) -> str:
    """Run the official CLI against the emulator; return stdout (fails the test on error)."""
    assert DAP is not None
    env = {
        **os.environ,
        "DAP_API_URL": emu.url,
        "DAP_CLIENT_ID": emu.settings.client_id,
        "DAP_CLIENT_SECRET": emu.settings.client_secret,
        "DAP_TRACKING": "false",
    }
    if dsn:
        env["DAP_CONNECTION_STRING"] = dsn
    out = subprocess.run(
        [DAP, "--non-interactive", "--loglevel", "warning", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=cwd,
    )
    assert out.returncode == 0, f"dap {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout


@pytest.fixture
def small(make_emulator: Callable[..., Emulator]) -> Emulator:
    return make_emulator(scale="small", job_polls=0, rows_per_object=2000)


def test_list(small: Emulator) -> None:
    names = dap(small, "list", "--namespace", "canvas").split()
    assert names == small.dataset.list_tables("canvas")


def test_schema(small: Emulator, tmp_path: Path) -> None:
    dap(
        small,
        "schema",
        "--namespace",
        "canvas",
        "--table",
        "courses",
        "--output-directory",
        str(tmp_path),
    )
    saved = json.loads((tmp_path / "courses_schema_version_1.json").read_text())
    assert saved == json_schema(small.dataset.table("canvas", "courses"))


def _saved_objects(root: Path) -> list[Path]:
    (job_dir,) = [p for p in root.iterdir() if p.name.startswith("job_")]
    return sorted(job_dir.iterdir())


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl", "parquet"])
def test_snapshot_formats(small: Emulator, tmp_path: Path, fmt: str) -> None:
    dap(
        small,
        "snapshot",
        "--namespace",
        "canvas",
        "--table",
        "submissions",
        "--format",
        fmt,
        "--output-directory",
        str(tmp_path),
    )
    files = _saved_objects(tmp_path)
    assert len(files) == 3  # 4500 submissions in 2000-row objects
    ids: list[int] = []
    for path in files:
        data = path.read_bytes()
        if fmt == "parquet":
            assert path.name.endswith(".parquet")
            ids += [r["id"] for r in pq.read_table(path).column("key").to_pylist()]
            continue
        text = gzip.decompress(data).decode()
        if fmt == "tsv":
            header, rows = parse_tsv(text)
            ids += [int(r[header.index("key.id")] or 0) for r in rows]
        elif fmt == "csv":
            header, rows = parse_csv(text)
            ids += [int(r[header.index("key.id")] or 0) for r in rows]
        else:
            ids += [json.loads(line)["key"]["id"] for line in text.splitlines()]
    assert sorted(ids) == list(range(1, 4501))


def test_incremental(small: Emulator, tmp_path: Path) -> None:
    start = small.dataset.clock
    small.advance(24)
    since = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    dap(
        small,
        "incremental",
        "--namespace",
        "canvas",
        "--table",
        "enrollments",
        "--format",
        "jsonl",
        "--since",
        since,
        "--output-directory",
        str(tmp_path),
    )
    files = _saved_objects(tmp_path)
    schema = small.dataset.incremental("canvas", "enrollments", start, None)[1]
    first = next(schema)
    rows = []
    for path in files:
        rows += decode_jsonl(gzip.decompress(path.read_bytes()).decode(), first.schema)
    actions = {r[1] for r in rows}
    assert actions == {"U", "D"}


def test_client_retries_429_and_5xx(small: Emulator, tmp_path: Path) -> None:
    api = Api(small)
    api.admin(
        "POST",
        "faults",
        {"route": "create_job", "kind": "rate_limit", "count": 1, "retry_after": 1},
    )
    api.admin(
        "POST", "faults", {"route": "object_url", "kind": "server_error", "status": 503, "count": 1}
    )
    api.admin(
        "POST", "faults", {"route": "download", "kind": "server_error", "status": 500, "count": 1}
    )
    dap(
        small,
        "snapshot",
        "--namespace",
        "canvas",
        "--table",
        "accounts",
        "--format",
        "tsv",
        "--output-directory",
        str(tmp_path),
    )
    counters = api.admin("GET", "requests")["requests"]
    assert counters["create_job"] == {"429": 1, "200": 1}
    assert counters["object_url"] == {"503": 1, "200": 1}
    assert counters["download"] == {"500": 1, "200": 1}
    api.close()


# --------------------------------------------------------------------------- initdb / syncdb


@pytest.fixture
def database(pg_server: Any) -> Iterator[str]:
    import psycopg2

    name = "dap_conformance"
    conn = psycopg2.connect(pg_server.dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"drop database if exists {name}")
        cur.execute(f"create database {name}")
    yield pg_server.url(name)
    with conn.cursor() as cur:
        cur.execute(f"drop database if exists {name} with (force)")
    conn.close()


def _pg_rows(dsn: str, ns: str, table: str) -> dict[Any, dict[str, Any]]:
    import psycopg2

    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(f'select * from "{ns}"."{table}"')
            names = [d[0] for d in cur.description]
            return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}
    finally:
        conn.close()


def _same(pg: Any, truth: Any, type_: pa.DataType, json_type: str) -> bool:
    if truth is None or pg is None:
        return truth is None and pg is None
    if pa.types.is_timestamp(type_):
        return bool(pg == truth.astimezone(dt.UTC).replace(tzinfo=None))
    if json_type == "array" and isinstance(pg, str):
        return pg_array(pg) == json.loads(truth)  # enum arrays come back as text
    if json_type in ("array", "object"):
        return bool(pg == json.loads(truth))
    if pa.types.is_decimal(type_):
        return Decimal(pg) == truth
    return bool(pg == truth) or str(pg) == str(truth)


def _truth(api: Api, ns: str, table: str) -> pa.Table:
    r = api.http.get(f"/_emulator/truth/{ns}/{table}")
    assert r.status_code == 200
    return read_parquet_bytes(r.content)


def _compare(api: Api, dsn: str, ns: str, table: str) -> None:
    truth = _truth(api, ns, table)
    pg = _pg_rows(dsn, ns, table)
    schema = api.get(f"/dap/query/{ns}/table/{table}/schema").json()["schema"]
    props = {
        **schema["properties"]["key"]["properties"],
        **schema["properties"]["value"]["properties"],
    }
    json_types = {name: prop["type"] for name, prop in props.items()}
    key = truth.column_names[1]
    types = {f.name: f.type for f in truth.schema}
    expected = {r[key]: r for r in truth.to_pylist()}
    if table == "web_logs":
        # Logs older than the 30-day window leave the snapshot but stay in a replica.
        oldest = min(r["timestamp"] for r in expected.values()).replace(tzinfo=None)
        pg = {k: v for k, v in pg.items() if v["timestamp"] >= oldest}
        expected = {str(k): v for k, v in expected.items()}
        pg = {str(k): v for k, v in pg.items()}
    assert set(pg) == set(expected), f"{ns}.{table}: key sets differ"
    for k, row in expected.items():
        got = pg[k]
        for col, value in row.items():
            if col == "meta_ts":
                continue
            assert _same(got[col], value, types[col], json_types[col]), (
                f"{ns}.{table} {k}.{col}: {got[col]!r} != {value!r}"
            )


def test_initdb_then_two_syncdb_cycles_match_the_truth(small: Emulator, database: str) -> None:
    api = Api(small)
    tables = ",".join(CANVAS_TABLES)
    dap(small, "initdb", "--namespace", "canvas", "--table", tables, dsn=database)
    dap(small, "initdb", "--namespace", "canvas_logs", "--table", "web_logs", dsn=database)
    for ns, table in [("canvas", t) for t in CANVAS_TABLES] + [("canvas_logs", "web_logs")]:
        _compare(api, database, ns, table)
    for hours in (24, 30):
        changes = api.admin("POST", "advance", {"hours": hours})["changes"]
        assert changes["canvas.enrollments"].get("hard_delete")
        dap(small, "syncdb", "--namespace", "canvas", "--table", tables, dsn=database)
        dap(small, "syncdb", "--namespace", "canvas_logs", "--table", "web_logs", dsn=database)
    for ns, table in [("canvas", t) for t in CANVAS_TABLES] + [("canvas_logs", "web_logs")]:
        _compare(api, database, ns, table)
    listed = {
        t["name"]: t
        for t in json.loads(dap(small, "listdb", "--namespace", "canvas", dsn=database))
    }
    clock = dt.datetime.fromisoformat(api.admin("GET", "status")["clock"])
    for table in CANVAS_TABLES:
        assert listed[table]["command"] == "syncdb"
        assert dt.datetime.fromisoformat(listed[table]["timestamp"]) == clock
    api.close()


def test_parquet_truth_reads(small: Emulator) -> None:
    api = Api(small)
    r = api.http.get("/_emulator/truth/canvas/courses")
    table = pq.read_table(io.BytesIO(r.content))
    assert table.num_rows == 30
    api.close()
