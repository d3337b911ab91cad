"""Property test: generated nasty rows, written by the emulator's encoders in all four formats,
read by the loader, written to the CSV files it hands dlt and ``COPY``-ed into a real PostgreSQL
with the statement the loader's destination runs. No value may make ``COPY`` fail (which would
leave a load package pending); every value either round-trips exactly or is NULL and recorded as
a reject.

Values: NUL bytes, every COPY text escape (TSV written in the short, octal and hex styles),
astral unicode, huge strings, timestamps and dates at and beyond years 1 and 9999 (year 0
included), integers beyond their 32-bit column, NaN, infinities, extreme and subnormal floats.
"""

from __future__ import annotations

import gzip
import json
import math
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg2
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator import formats
from loader.arrow_io import Reject, read_object, timestamps_as_text
from loader.destination import COPY_SESSION, copy_statement
from loader.schema import PG_TYPES, table_layout
from loader.spool import CsvSpool

SCHEMA: dict[str, Any] = {
    "version": 1,
    "schema": {
        "properties": {
            "meta": {"type": "object", "properties": {"ts": {"type": "string"}}},
            "key": {"type": "object", "properties": {"id": {"type": "integer", "format": "int64"}}},
            "value": {
                "type": "object",
                "properties": {
                    "body": {"type": "string"},
                    "doc": {"type": "object", "properties": {"s": {"type": "string"}}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "at": {"type": "string", "format": "date-time"},
                    "day": {"type": "string", "format": "date"},
                    "amount": {"type": "number", "multipleOf": 0.01},
                    "score": {"type": "number", "format": "float64"},
                    "n32": {"type": "integer", "format": "int32"},
                    "flag": {"type": "boolean"},
                },
            },
        },
    },
}
LAYOUT = table_layout("canvas", "nasty", SCHEMA)
ARROW = pa.schema(
    [
        ("meta.ts", pa.timestamp("us", tz="UTC")),
        ("key.id", pa.int64()),
        ("value.body", pa.string()),
        ("value.doc", pa.struct([("s", pa.string())])),
        ("value.tags", pa.list_(pa.string())),
        ("value.at", pa.timestamp("us", tz="UTC")),
        ("value.day", pa.date32()),
        ("value.amount", pa.decimal128(14, 2)),
        ("value.score", pa.float64()),
        ("value.n32", pa.int64()),
        ("value.flag", pa.bool_()),
    ]
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
UNREPRESENTABLE = object()
US_MIN, US_MAX = -(2**62), 2**62  # years about -144,000 to 148,000
SPECIAL_TEXT = [
    "\x00",
    "a\x00b\\c",
    "\\",
    "\\\\",
    "\\N",
    "\\101\\x41\\x4",
    "\\303\\251",
    "tab\tnew\nline\rcr\bbs\ffe\vvt",
    '"quoted", comma',
    "\U0001f600\U00010348 astral",
    "\ufffe\uffff",
    "__cd2_oversized_truncated__",
    "",
]

text = st.one_of(
    st.none(),
    st.sampled_from(SPECIAL_TEXT),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.builds(
        lambda c, n: c * n, st.sampled_from(["x", "\\", "é", "\x00"]), st.integers(1, 70_000)
    ),
)
moments = st.one_of(
    st.none(),
    st.sampled_from(
        [
            datetime(1, 1, 1, tzinfo=UTC),
            datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            datetime(1970, 1, 1, tzinfo=UTC),
        ]
    ),
    st.integers(US_MIN, US_MAX),  # microseconds since 1970: year 0, BC, beyond 9999
    st.integers(-62_200_000_000_000_000, -62_100_000_000_000_000),  # around year 0 and 1
)
days = st.one_of(
    st.none(), st.integers(-800_000, 3_000_000), st.sampled_from([-719_162, 2_932_896, -719_163])
)
floats = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 5e-324, 1.7976931348623157e308, -0.0]),
)
ints = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.sampled_from([2**31 - 1, 2**31]))
amounts = st.one_of(st.none(), st.decimals(-(10**11), 10**11, places=2, allow_nan=False))
row = st.fixed_dictionaries(
    {
        "body": text,
        "doc": text,
        "tags": st.one_of(st.none(), st.lists(text, max_size=3)),
        "at": moments,
        "day": days,
        "amount": amounts,
        "score": floats,
        "n32": ints,
        "flag": st.one_of(st.none(), st.booleans()),
    }
)


def as_us(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return (value - EPOCH) // timedelta(microseconds=1)


def batch_of(rows: list[dict[str, Any]]) -> pa.RecordBatch:
    n = len(rows)
    return pa.RecordBatch.from_arrays(
        [
            pa.array([as_us(datetime(2024, 1, 1, tzinfo=UTC))] * n, pa.int64()).cast(ARROW[0].type),
            pa.array(range(1, n + 1), pa.int64()),
            pa.array([r["body"] for r in rows], pa.string()),
            pa.array([None if r["doc"] is None else {"s": r["doc"]} for r in rows], ARROW[3].type),
            pa.array([r["tags"] for r in rows], ARROW[4].type),
            pa.array([as_us(r["at"]) for r in rows], pa.int64()).cast(ARROW[5].type),
            pa.array([r["day"] for r in rows], pa.int32()).cast(pa.date32()),
            pa.array([r["amount"] for r in rows], ARROW[7].type),
            pa.array([r["score"] for r in rows], pa.float64()),
            pa.array([r["n32"] for r in rows], pa.int64()),
            pa.array([r["flag"] for r in rows], pa.bool_()),
        ],
        schema=ARROW,
    )


def write(batch: pa.RecordBatch, fmt: str, style: str, path: Path) -> Path:
    if fmt == "tsv":
        body = formats.header(ARROW, "tsv", "condensed")
        body += formats.encode_tsv(batch, "condensed", style)
        path.write_bytes(gzip.compress(body))
        return path
    writer = formats.ObjectWriter(path, ARROW, fmt, "condensed")
    writer.write(batch)
    writer.close()
    return path


def expected(column: str, value: Any, fmt: str) -> Any:
    """What the value must read back as from PostgreSQL if it round-trips."""
    if value is None:
        return None
    if column == "doc":
        return {"s": value}
    try:
        if column == "at":
            return EPOCH + timedelta(microseconds=as_us(value) or 0)
        if column == "day":
            return date(1970, 1, 1) + timedelta(days=value)
    except OverflowError:
        return UNREPRESENTABLE  # outside years 1..9999: it can only be a reject
    if column == "score" and fmt == "jsonl" and not math.isfinite(value):
        return None  # JSON has no NaN or infinity: the file says null
    return value


def same(got: Any, want: Any) -> bool:
    if isinstance(want, float) and isinstance(got, float):
        return (math.isnan(want) and math.isnan(got)) or got == want
    if isinstance(want, Decimal) and isinstance(got, Decimal):
        return got == want
    return bool(got == want)


@pytest.fixture(scope="module")
def pg(pg_server: Any) -> Any:
    conn = psycopg2.connect(pg_server.dsn)
    conn.autocommit = True
    schema = f"prop_{uuid.uuid4().hex[:8]}"
    with conn.cursor() as cur:
        cur.execute(f"create schema {schema}")
        columns = ", ".join(f'"{c.name}" {PG_TYPES[c.kind]}' for c in LAYOUT.columns)
        cur.execute(
            f"create table {schema}.nasty ({columns}, meta_ts timestamptz, meta_action text)"
        )
    yield conn, schema
    with conn.cursor() as cur:
        cur.execute(f"drop schema {schema} cascade")
    conn.close()


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(row, min_size=1, max_size=6), style=st.sampled_from(formats.TSV_ESCAPES))
def test_every_value_round_trips_or_is_a_reject(
    pg: Any, tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, Any]], style: str
) -> None:
    conn, schema = pg
    work = tmp_path_factory.mktemp("prop")
    batch = batch_of(rows)
    for fmt in ("tsv", "csv", "jsonl", "parquet"):
        path = write(batch, fmt, style, work / f"o.{fmt}.gz")
        rejects: list[Reject] = []
        spool = CsvSpool(work / f"csv-{fmt}", 1_000)
        for parsed in read_object(path, fmt, LAYOUT, None, rejects):
            spool.write(timestamps_as_text(parsed))
        files = spool.close()
        with conn.cursor() as cur:
            cur.execute(f"truncate {schema}.nasty")
            cur.execute("begin")
            try:
                cur.execute(COPY_SESSION)
                for file, _, file_schema in files:
                    names = ",".join(f'"{n}"' for n in file_schema.names)
                    with file.open("rb") as f:
                        f.readline()  # the header, as the destination's job reads it
                        cur.copy_expert(copy_statement(f"{schema}.nasty", names), f)
            except psycopg2.Error as exc:
                cur.execute("rollback")
                raise AssertionError(
                    f"{fmt}/{style}: COPY failed (a pending package): {exc}"
                ) from exc
            cur.execute("commit")
            cur.execute(f"select * from {schema}.nasty order by id")
            names = [d[0] for d in cur.description or ()]
            loaded = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
        refused = {(json.loads(r.key)["id"], r.column) for r in rejects}
        assert sorted(loaded) == list(range(1, len(rows) + 1)), fmt
        for i, source in enumerate(rows, start=1):
            for column, value in source.items():
                got, want = loaded[i][column], expected(column, value, fmt)
                if column == "tags" and want is not None and got is not None:
                    ok = got == want
                else:
                    ok = same(got, want)
                assert ok or (got is None and (i, column) in refused), (
                    f"{fmt}/{style} row {i} {column}: sent {value!r}, loaded {got!r}, "
                    f"rejects {rejects}"
                )
