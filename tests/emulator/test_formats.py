"""The four DAP object formats, round-tripped through independent readers (no server)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from emulator import formats
from emulator.dataset import Dataset
from emulator.jobs import write_objects
from emulator.schema import Column, Table, arrow_schema, load_catalog

from .readers import (
    decode_jsonl,
    decode_text_rows,
    expected_rows,
    normalise,
    parse_csv,
    parse_tsv,
)

NASTY = [
    "tab\there",
    "line one\nline two",
    "windows\r\nline",
    'say "hello"',
    "it's",
    "back\\slash",
    "\\N is not null",
    "comma, separated",
    "  padded  ",
    "ünïcødé ✓ 学生 🎓",
    "",
    "trailing backslash\\",
    "__cd2_oversized_truncated__",
    "bell\x07 and vt\x0b and ff\x0c and bs\x08 and nul-free",
    "\\t is not a tab",
    '{"looks": "like json"}',
]

TABLE = Table(
    namespace="canvas",
    name="things",
    description="test table",
    key=Column("id", "bigint", False),
    values=(
        Column("name", "text"),
        Column("code", "varchar(32)"),
        Column("count", "integer"),
        Column("small", "smallint"),
        Column("score", "double precision"),
        Column("flag", "boolean"),
        Column("created_at", "timestamp", False),
        Column("day", "date"),
        Column("amount", "decimal(10,2)"),
        Column("state", "enum", enum=("active", "deleted")),
        Column("uid", "uuid"),
        Column(
            "settings",
            "object",
            fields=(
                Column("label", "text"),
                Column("size", "integer"),
                Column("ids", "bigint[]"),
                Column("on", "boolean"),
            ),
        ),
        Column("tags", "text[]"),
    ),
)


def _ts(s: int, us: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC) + dt.timedelta(
        seconds=s, microseconds=us
    )


def _rows(n: int, incremental: bool) -> list[dict[str, object]]:
    rows = []
    for i in range(n):
        nasty = NASTY[i % len(NASTY)]
        deleted = incremental and i % 7 == 3
        row: dict[str, object] = {"meta.ts": _ts(i, 0 if i % 2 else 123456 + i), "key.id": i + 1}
        if incremental:
            row["meta.action"] = "D" if deleted else "U"
        values: dict[str, object] = {
            "name": nasty if i % 5 else None,
            "code": f"C{i}",
            "count": i * 1000 - 5000,
            "small": i % 100,
            "score": [0.1 + 0.2, 93.0, 1e20, -2.5e-7, None][i % 5],
            "flag": [True, False, None][i % 3],
            "created_at": _ts(-i * 3600),
            "day": dt.date(2025, 1, 1) + dt.timedelta(days=i),
            "amount": Decimal(f"{i * 7 - 30}.{i % 100:02d}"),
            "state": ["active", "deleted"][i % 2],
            "uid": f"00000000-0000-4000-8000-{i:012d}",
            "settings": [
                None,
                {"label": None, "size": None, "ids": None, "on": None},
                {"label": nasty, "size": i, "ids": [1, 2, i], "on": True},
                {"label": None, "size": 0, "ids": [], "on": False},
            ][i % 4],
            "tags": [None, [], ["a", nasty, None], [nasty]][i % 4],
        }
        for k, v in values.items():
            row[f"value.{k}"] = None if deleted else v
        rows.append(row)
    return rows


def make_batch(n: int = 64, incremental: bool = False) -> pa.RecordBatch:
    """A hand-built batch with every column type and the nasty strings."""
    schema = arrow_schema(TABLE, incremental)
    rows = _rows(n, incremental)
    return pa.RecordBatch.from_pylist(rows, schema=schema)


@pytest.mark.parametrize("incremental", [False, True])
@pytest.mark.parametrize("mode", ["condensed", "expanded"])
def test_tsv_round_trip(incremental: bool, mode: str) -> None:
    batch = make_batch(incremental=incremental)
    text = (formats.header(batch.schema, "tsv", mode) + formats.encode_tsv(batch, mode)).decode()
    header, rows = parse_tsv(text)
    assert ("meta.action" in header) is incremental
    assert decode_text_rows(header, rows, batch.schema, mode) == expected_rows(batch, mode)


@pytest.mark.parametrize("mode", ["condensed", "expanded"])
def test_csv_round_trip(mode: str) -> None:
    batch = make_batch(incremental=True)
    text = (formats.header(batch.schema, "csv", mode) + formats.encode_csv(batch, mode)).decode()
    header, rows = parse_csv(text)
    assert decode_text_rows(header, rows, batch.schema, mode) == expected_rows(batch, mode)


def test_csv_null_and_empty_string_differ() -> None:
    batch = make_batch()
    text = formats.encode_csv(batch, "condensed").decode()
    _, rows = parse_csv(formats.header(batch.schema, "csv", "condensed").decode() + text)
    names = [r[2] for r in rows]  # value.name
    expected = [r["value.name"] for r in batch.to_pylist()]
    assert names == expected
    assert "" in names and None in names


def test_jsonl_round_trip() -> None:
    batch = make_batch(incremental=True)
    text = formats.encode_jsonl(batch).decode()
    expected = [
        [normalise(v, f.type) for v, f in zip(row.values(), batch.schema, strict=True)]
        for row in batch.to_pylist()
    ]
    assert decode_jsonl(text, batch.schema) == expected
    records = [json.loads(line) for line in text.splitlines()]
    assert all(("value" in r) == (r["meta"]["action"] == "U") for r in records)


def test_jsonl_snapshot_meta_has_only_ts() -> None:
    text = formats.encode_jsonl(make_batch()).decode()
    for line in text.splitlines():
        assert set(json.loads(line)["meta"]) == {"ts"}


def test_parquet_layout(tmp_path: Path) -> None:
    batch = make_batch(incremental=True)
    path = tmp_path / "x.parquet"
    assert formats.write_object(path, batch.schema, [batch], "parquet") == batch.num_rows
    table = pq.read_table(path)
    assert table.column_names == ["meta", "key", "value"]
    got = table.to_pylist()
    for row, flat in zip(got, batch.to_pylist(), strict=True):
        assert row["meta"] == {"ts": flat["meta.ts"], "action": flat["meta.action"]}
        assert row["key"] == {"id": flat["key.id"]}
        if flat["meta.action"] == "D":
            assert row["value"] is None
        else:
            assert row["value"] == {k[6:]: v for k, v in flat.items() if k.startswith("value.")}


def test_timestamp_text() -> None:
    arr = pa.array([_ts(0), _ts(0, 1), _ts(0, 500000), None], pa.timestamp("us", tz="UTC"))
    assert formats.timestamp_text(arr).to_pylist() == [
        "2026-01-02T03:04:05Z",
        "2026-01-02T03:04:05.000001Z",
        "2026-01-02T03:04:05.500000Z",
        None,
    ]


def test_condensed_json_text() -> None:
    t = pa.struct([("a", pa.string()), ("b", pa.int64()), ("c", pa.list_(pa.string()))])
    arr = pa.array(
        [
            {"a": 'x"\n\\', "b": None, "c": ["p", None]},
            {"a": None, "b": None, "c": None},
            None,
            {"a": None, "b": 5, "c": []},
        ],
        t,
    )
    assert formats.json_text(arr).to_pylist() == [
        '{"a":"x\\"\\n\\\\","c":["p",null]}',
        None,
        None,
        '{"b":5,"c":[]}',
    ]


def test_json_string_matches_json_dumps() -> None:
    values = NASTY + ["\x00\x01\x1f", "\u2028"]
    got = formats.json_string(pa.array(values)).to_pylist()
    assert [json.loads(g) for g in got] == values
    assert got[0] == json.dumps(values[0], ensure_ascii=False)


def test_gzip_is_one_member_and_deterministic(tmp_path: Path) -> None:
    batch = make_batch(200)
    a, b = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    for path in (a, b):
        formats.write_object(path, batch.schema, [batch.slice(0, 100), batch.slice(100)], "tsv")
    assert a.read_bytes() == b.read_bytes()
    data = a.read_bytes()
    text = gzip.decompress(data).decode()
    assert text.count("\n") == 201
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as g:
        g.read()
    import zlib

    d = zlib.decompressobj(wbits=31)
    d.decompress(data)
    assert d.eof and d.unused_data == b""


def test_write_objects_splits_rows(tmp_path: Path) -> None:
    batch = make_batch(95)
    made = write_objects(
        [batch.slice(0, 40), batch.slice(40)], batch.schema, "csv", "condensed", tmp_path, 30
    )
    assert [rows for _, rows, _ in made] == [30, 30, 30, 5]
    total = []
    for name, _, size in made:
        data = (tmp_path / name).read_bytes()
        assert len(data) == size
        header, rows = parse_csv(gzip.decompress(data).decode())
        total += rows
    assert len(total) == 95
    assert write_objects([], batch.schema, "tsv", "condensed", tmp_path / "none", 10) == []


def test_truth_batch_names_and_json() -> None:
    batch = make_batch()
    truth = formats.truth_batch(batch)
    assert truth.schema.names[:3] == ["meta_ts", "id", "name"]
    assert truth.schema.field("settings").type == pa.string()
    assert truth.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    cond = formats.json_text(batch.column(batch.schema.get_field_index("value.settings")))
    assert truth.column(truth.schema.get_field_index("settings")).equals(cond)


def _real_batches(ds: Dataset, ns: str, table: str, since: dt.datetime | None) -> list:
    if since is None:
        return list(ds.snapshot(ns, table)[1])
    return list(ds.incremental(ns, table, since, None)[1])


@pytest.mark.parametrize(
    "table", ["courses", "assignments", "assignment_groups", "quiz_questions", "submissions"]
)
def test_real_tables_round_trip(table: str) -> None:
    ds = Dataset(seed=3, scale="tiny")
    start = ds.clock
    ds.advance(72)
    for since in (None, start):
        batches = _real_batches(ds, "canvas", table, since)
        assert batches
        for batch in batches:
            for mode in ("condensed", "expanded"):
                tsv = formats.header(batch.schema, "tsv", mode) + formats.encode_tsv(batch, mode)
                header, rows = parse_tsv(tsv.decode())
                decoded = decode_text_rows(header, rows, batch.schema, mode)
                assert decoded == expected_rows(batch, mode)
            csv_text = formats.header(batch.schema, "csv", "condensed") + formats.encode_csv(
                batch, "condensed"
            )
            header, rows = parse_csv(csv_text.decode())
            decoded = decode_text_rows(header, rows, batch.schema, "condensed")
            assert decoded == expected_rows(batch, "condensed")


def test_every_catalog_table_encodes() -> None:
    """Each table's empty batch has a header the schema explains (no crash on any type)."""
    for table in load_catalog().all_tables():
        for incremental in (False, True):
            schema = arrow_schema(table, incremental)
            empty = pa.RecordBatch.from_pylist([], schema=schema)
            for fmt in ("tsv", "csv", "jsonl"):
                assert formats.encode_text(empty, fmt, "expanded") == b""
            names = formats.header(schema, "tsv", "condensed").decode().rstrip("\n").split("\t")
            assert names[0] == "meta.ts"
            assert ("meta.action" in names) is incremental
            assert names[1 + incremental] == f"key.{table.key.name}"


def test_write_objects_parquet(tmp_path: Path) -> None:
    batch = make_batch(50, incremental=True)
    made = write_objects([batch], batch.schema, "parquet", "expanded", tmp_path, 20)
    assert [rows for _, rows, _ in made] == [20, 20, 10]
    tables = [pq.read_table(tmp_path / name) for name, _, _ in made]
    assert sum(t.num_rows for t in tables) == 50
    assert [r["key"]["id"] for t in tables for r in t.to_pylist()] == list(range(1, 51))


@pytest.mark.parametrize("style", ["octal", "hex"])
def test_tsv_byte_escapes_decode_as_copy_text(style: str) -> None:
    from loader.arrow_io import unescape_copy_text

    values = [*NASTY, "a\x00b\\c", "é😀 ünï", None]
    escaped = formats.tsv_escape(pa.array(values, pa.string()), style)
    text = "".join(v or "" for v in escaped.to_pylist())
    assert "\t" not in text and "\n" not in text and "é" not in text
    assert ("\\134" if style == "octal" else "\\x5c") in text
    assert unescape_copy_text(escaped).to_pylist() == values
