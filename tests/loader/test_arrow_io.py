"""Parsing DAP objects (TSV, CSV, JSONL, Parquet) into Arrow, nasty values included.

Each test writes objects the way the DAP documentation describes them, with small reference
writers defined here (not the emulator's), parses them back, and compares with the values
written.
"""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from loader.arrow_io import (
    OVERSIZED,
    CorruptObjectError,
    ParseError,
    ReadOptions,
    Reject,
    decode_copy_text,
    json_object,
    json_text,
    read_object,
    rebatch,
    timestamps_as_text,
    unescape_copy_text,
    unescape_copy_text_checked,
)
from loader.schema import TableLayout, table_layout
from tests.helpers import NASTY, copy_escape

SCHEMA: dict[str, Any] = {
    "version": 1,
    "schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "properties": {
            "meta": {"type": "object", "properties": {"ts": {"type": "string"}}},
            "key": {"type": "object", "properties": {"id": {"type": "integer", "format": "int64"}}},
            "value": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "n16": {"type": "integer", "format": "int16"},
                    "score": {"type": "number", "format": "float64"},
                    "amount": {
                        "type": "number",
                        "exclusiveMinimum": -1e10,
                        "exclusiveMaximum": 1e10,
                        "multipleOf": 0.01,
                    },
                    "flag": {"type": "boolean"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "day": {"type": "string", "format": "date"},
                    "settings": {
                        "type": "object",
                        "properties": {
                            "a": {"type": "integer"},
                            "b": {"type": "string"},
                            "tags": {"type": "array", "items": {"type": "string"}},
                        },
                        "additionalProperties": False,
                    },
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def layout() -> TableLayout:
    return table_layout("canvas", "things", SCHEMA)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def records(n_nasty: bool = True) -> list[dict[str, Any]]:
    """Logical records: key/value dicts plus meta (value None for deletes)."""
    out: list[dict[str, Any]] = []
    for i, s in enumerate(NASTY if n_nasty else ["x"]):
        out.append(
            {
                "ts": f"2024-01-0{1 + i % 9}T10:00:0{i % 10}.{i:06d}Z"
                if i % 3
                else f"2024-01-0{1 + i % 9}T10:00:00Z",
                "action": "U",
                "id": i + 1,
                "value": {
                    "name": s,
                    "n16": -(i % 5) if i % 4 else None,
                    "score": i / 3 if i % 5 else None,
                    "amount": f"{i * 1.25:.2f}" if i % 2 else None,
                    "flag": bool(i % 2) if i % 6 else None,
                    "created_at": f"2023-12-31T23:59:{i % 60:02d}Z" if i % 7 else None,
                    "day": f"2024-02-{1 + i % 28:02d}" if i % 3 else None,
                    "settings": {"a": i, "b": s, "tags": [s, "x"]} if i % 4 else None,
                    "tags": [s, "", None] if i % 2 else ([] if i % 3 else None),
                },
            }
        )
    out.append({"ts": "2024-01-09T00:00:00Z", "action": "D", "id": 999, "value": None})
    return out


def settings_json(v: dict[str, Any] | None) -> str | None:
    if v is None:
        return None
    kept = {k: x for k, x in v.items() if x is not None}
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":")) if kept else None


def expected(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in recs:
        v = r["value"] or {}
        out.append(
            {
                "id": r["id"],
                "name": v.get("name"),
                "n16": v.get("n16"),
                "score": v.get("score"),
                "amount": v.get("amount"),
                "flag": v.get("flag"),
                "created_at": ts(v["created_at"]) if v.get("created_at") else None,
                "day": date.fromisoformat(v["day"]) if v.get("day") else None,
                "settings": json.loads(settings_json(v.get("settings")) or "null"),
                "tags": v.get("tags"),
                "meta_ts": ts(r["ts"]),
                "meta_action": r["action"],
            }
        )
    return out


def normalise(batch_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parse JSON columns so that formatting differences do not matter."""
    out = []
    for row in batch_rows:
        row = dict(row)
        for col in ("settings", "tags"):
            if row.get(col) is not None:
                row[col] = json.loads(row[col])
        out.append(row)
    return out


def read_all(
    path: Path, fmt: str, layout: TableLayout, rejects: list[Reject] | None = None, **kw: Any
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for batch in read_object(path, fmt, layout, ReadOptions(**kw), rejects):
        rows.extend(batch.to_pylist())
    return normalise(rows)


# --------------------------------------------------------------------------- reference writers


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def flat(rec: dict[str, Any], incremental: bool) -> dict[str, str | None]:
    v = rec["value"] or {}
    row: dict[str, str | None] = {"meta.ts": rec["ts"]}
    if incremental:
        row["meta.action"] = rec["action"]
    row["key.id"] = str(rec["id"])
    for name in ("name", "n16", "score", "amount", "flag", "created_at", "day"):
        row[f"value.{name}"] = text_of(v.get(name))
    row["value.settings"] = settings_json(v.get("settings"))
    row["value.tags"] = text_of(v.get("tags"))
    return row


def write_tsv(path: Path, recs: list[dict[str, Any]], incremental: bool = True) -> Path:
    rows = [flat(r, incremental) for r in recs]
    lines = ["\t".join(rows[0])]
    lines += ["\t".join(copy_escape(x) for x in row.values()) for row in rows]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def csv_field(value: str | None) -> str:
    if value is None:
        return ""
    if value == "" or any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_csv(path: Path, recs: list[dict[str, Any]]) -> Path:
    rows = [flat(r, True) for r in recs]
    lines = [",".join(rows[0])] + [",".join(csv_field(x) for x in row.values()) for row in rows]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def write_jsonl(path: Path, recs: list[dict[str, Any]]) -> Path:
    lines = []
    for r in recs:
        obj: dict[str, Any] = {
            "meta": {"ts": r["ts"], "action": r["action"]},
            "key": {"id": r["id"]},
        }
        if r["value"] is not None:
            value = {k: x for k, x in r["value"].items() if x is not None}
            if "amount" in value:
                value["amount"] = float(value["amount"])
            if isinstance(value.get("settings"), dict):
                value["settings"] = {k: x for k, x in value["settings"].items() if x is not None}
            obj["value"] = value
        lines.append(json.dumps(obj, ensure_ascii=False))
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


# --------------------------------------------------------------------------- tests


def test_unescape_copy_text_matches_reference() -> None:
    rng = random.Random(7)
    pool = ["a", "\\", "\t", "\n", "\r", "\b", "\f", "\v", "N", "n", "t", "😀", '"']
    values = NASTY + [
        "".join(rng.choice(pool) for _ in range(rng.randrange(0, 12))) for _ in range(3000)
    ]
    escaped = pa.array([copy_escape(v) for v in values])
    assert unescape_copy_text(escaped).to_pylist() == values


# every escape PostgreSQL's COPY text format defines, with what it decodes to
COPY_ESCAPES: list[tuple[str, str]] = [
    ("\\b", "\b"),
    ("\\f", "\f"),
    ("\\n", "\n"),
    ("\\r", "\r"),
    ("\\t", "\t"),
    ("\\v", "\v"),
    ("\\\\", "\\"),
    ("\\101", "A"),  # octal, 1 to 3 digits
    ("\\60", "0"),
    ("\\7", "\x07"),
    ("\\1011", "A1"),  # at most three octal digits
    ("\\x41", "A"),  # hex, 1 or 2 digits
    ("\\x9", "\t"),
    ("\\x4142", "A42"),  # at most two hex digits
    ("\\xZ", "xZ"),  # \x without a hex digit: x
    ("\\303\\251", "é"),  # bytes that make up UTF-8
    ("\\xc3\\xa9", "é"),
    ("\\q", "q"),  # any other character stands for itself
    ("\\8", "8"),
    ("\\.", "."),
    ("\\N inside", "N inside"),
    ("a\\0b\\\\c", "a\x00b\\c"),  # the NUL placeholder of earlier versions lost this
    ("\\\\101", "\\101"),  # an escaped backslash before digits is not octal
    ("\\\\x41", "\\x41"),
    ("\uffff\\n", "\uffff\n"),  # the placeholder itself in the data
]


@pytest.mark.parametrize(("escaped", "decoded"), COPY_ESCAPES, ids=[e for e, _ in COPY_ESCAPES])
def test_every_copy_text_escape_decodes_as_postgresql_does(escaped: str, decoded: str) -> None:
    assert decode_copy_text(escaped) == decoded
    # alone, and among many clean values (the vectorised path picks it out)
    assert unescape_copy_text(pa.array([escaped])).to_pylist() == [decoded]
    many = ["plain"] * 50 + [escaped, "x\\ty"] + ["plain"] * 50
    want = ["plain"] * 50 + [decoded, "x\ty"] + ["plain"] * 50
    assert unescape_copy_text(pa.array(many)).to_pylist() == want


def test_escapes_that_are_not_utf8_are_reported() -> None:
    out, bad = unescape_copy_text_checked(pa.array(["ok\\n", "\\377", None]))
    assert out.to_pylist() == ["ok\n", None, None]
    assert bad is not None and bad.to_pylist() == [False, True, False]


def test_unescape_touches_only_the_values_with_escapes() -> None:
    values = ["plain"] * 500 + ["a\tb", None, "c\\nd"] + ["x"] * 500
    escaped = pa.array([None if v is None else copy_escape(v) for v in values])
    assert unescape_copy_text(escaped).to_pylist() == values
    sliced = escaped.slice(490, 20)
    assert unescape_copy_text(sliced).to_pylist() == values[490:510]


def test_unescape_without_backslashes_is_a_no_op() -> None:
    values = pa.array(["a", None, ""])
    assert unescape_copy_text(values) is values


@pytest.mark.parametrize("incremental", [True, False])
def test_tsv_round_trip(tmp_path: Path, layout: TableLayout, incremental: bool) -> None:
    recs = records()
    if not incremental:
        recs = [r for r in recs if r["action"] == "U"]
    got = read_all(write_tsv(tmp_path / "o.tsv.gz", recs, incremental), "tsv", layout)
    assert got == expected(recs)


def test_tsv_small_blocks_stream_in_several_batches(tmp_path: Path, layout: TableLayout) -> None:
    recs = records() * 50
    path = write_tsv(tmp_path / "o.tsv.gz", recs)
    batches = list(read_object(path, "tsv", layout, ReadOptions(block_size=4096)))
    assert len(batches) > 3
    assert sum(b.num_rows for b in batches) == len(recs)


def test_tsv_empty_field_is_empty_string_and_backslash_n_is_null(
    tmp_path: Path, layout: TableLayout
) -> None:
    path = tmp_path / "o.tsv.gz"
    path.write_bytes(
        gzip.compress(
            b"meta.ts\tkey.id\tvalue.name\n2024-01-01T00:00:00Z\t1\t\n"
            b"2024-01-01T00:00:00Z\t2\t\\N\n2024-01-01T00:00:00Z\t3\t\\\\N\n"
        )
    )
    rows = read_all(path, "tsv", layout)
    assert [r["name"] for r in rows] == ["", None, "\\N"]
    assert [r["meta_action"] for r in rows] == ["U", "U", "U"]  # snapshot: no action column


def test_tsv_oversized_marker_in_json_column_stays_valid_json(
    tmp_path: Path, layout: TableLayout
) -> None:
    path = tmp_path / "o.tsv.gz"
    path.write_bytes(
        gzip.compress(
            f"meta.ts\tkey.id\tvalue.settings\tvalue.name\n"
            f"2024-01-01T00:00:00Z\t1\t{OVERSIZED}\t{OVERSIZED}\n".encode()
        )
    )
    rows = read_all(path, "tsv", layout)
    assert rows[0]["settings"] == OVERSIZED  # json.loads('"__cd2…"')
    assert rows[0]["name"] == OVERSIZED


def test_tsv_expanded_mode_becomes_one_json_column(tmp_path: Path, layout: TableLayout) -> None:
    header = "meta.ts\tkey.id\tvalue.name\tvalue.settings.a\tvalue.settings.b\tvalue.settings.tags"
    body = [
        'ts\t1\tx\t5\tq"uo\\\\te\t["z"]',
        "ts\t2\ty\t\\N\t\\N\t\\N",
        "ts\t3\tz\t\\N\tonly b\t\\N",
    ]
    text = "\n".join([header] + [b.replace("ts", "2024-01-01T00:00:00Z", 1) for b in body]) + "\n"
    path = tmp_path / "o.tsv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    rows = read_all(path, "tsv", layout)
    assert [r["settings"] for r in rows] == [
        {"a": 5, "b": 'q"uo\\te', "tags": ["z"]},
        None,
        {"b": "only b"},
    ]


def test_unknown_column_is_kept_as_text(tmp_path: Path, layout: TableLayout) -> None:
    path = tmp_path / "o.tsv.gz"
    path.write_bytes(
        gzip.compress(b"meta.ts\tkey.id\tvalue.brand_new\n2024-01-01T00:00:00Z\t1\t7\n")
    )
    (batch,) = list(read_object(path, "tsv", layout))
    assert batch.schema.field("brand_new").type == pa.string()
    assert batch.column("brand_new").to_pylist() == ["7"]


def test_multi_member_gzip(tmp_path: Path, layout: TableLayout) -> None:
    head = b"meta.ts\tkey.id\tvalue.name\n"
    path = tmp_path / "o.tsv.gz"
    path.write_bytes(
        gzip.compress(head + b"2024-01-01T00:00:00Z\t1\ta\n")
        + gzip.compress(b"2024-01-01T00:00:00Z\t2\tb\n")
    )
    assert [r["id"] for r in read_all(path, "tsv", layout)] == [1, 2]


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
@pytest.mark.parametrize("damage", ["truncated", "bad crc", "header cut"])
def test_damaged_gzip_is_a_corrupt_object(
    tmp_path: Path, layout: TableLayout, fmt: str, damage: str
) -> None:
    """A damaged stream is told apart from bad data: downloading it again may help."""
    writer = {"tsv": write_tsv, "csv": write_csv, "jsonl": write_jsonl}[fmt]
    good = writer(tmp_path / f"o.{fmt}.gz", records() * 20).read_bytes()
    bad = tmp_path / f"bad.{fmt}.gz"
    if damage == "truncated":
        bad.write_bytes(good[: len(good) // 2])
    elif damage == "bad crc":
        data = bytearray(good)
        data[-6] ^= 0xFF  # the CRC-32 in the gzip trailer
        bad.write_bytes(bytes(data))
    else:
        bad.write_bytes(good[:12])
    with pytest.raises(CorruptObjectError, match=f"{fmt} object bad"):
        read_all(bad, fmt, layout)


def test_malformed_data_is_not_a_corrupt_object(tmp_path: Path, layout: TableLayout) -> None:
    path = tmp_path / "o.tsv.gz"
    path.write_bytes(gzip.compress(b"meta.ts\tkey.id\n2024-01-01T00:00:00Z\tnot-a-number\n"))
    with pytest.raises(ParseError) as info:
        read_all(path, "tsv", layout)
    assert not isinstance(info.value, CorruptObjectError)


def test_malformed_row_is_a_parse_error(tmp_path: Path, layout: TableLayout) -> None:
    path = tmp_path / "o.tsv.gz"
    path.write_bytes(gzip.compress(b"meta.ts\tkey.id\n2024-01-01T00:00:00Z\tnot-a-number\n"))
    with pytest.raises(ParseError):
        read_all(path, "tsv", layout)


def test_csv_round_trip(tmp_path: Path, layout: TableLayout) -> None:
    recs = records()
    assert read_all(write_csv(tmp_path / "o.csv.gz", recs), "csv", layout) == expected(recs)


def test_jsonl_round_trip(tmp_path: Path, layout: TableLayout) -> None:
    recs = records()
    got = read_all(write_jsonl(tmp_path / "o.json.gz", recs), "jsonl", layout)
    want = expected(recs)
    for w in want:  # JSON numbers: the decimal comes back with its schema scale
        if w["amount"] is not None:
            w["amount"] = f"{float(w['amount']):.2f}"
    assert got == want


def _nested_parquet(path: Path, recs: list[dict[str, Any]]) -> Path:
    settings_t = pa.struct([("a", pa.int64()), ("b", pa.string()), ("tags", pa.list_(pa.string()))])
    value_t = pa.struct(
        [
            ("name", pa.string()),
            ("n16", pa.int16()),
            ("score", pa.float64()),
            ("amount", pa.decimal128(12, 2)),
            ("flag", pa.bool_()),
            ("created_at", pa.timestamp("us", tz="UTC")),
            ("day", pa.date32()),
            ("settings", settings_t),
            ("tags", pa.list_(pa.string())),
        ]
    )
    from decimal import Decimal

    def value(r: dict[str, Any]) -> dict[str, Any] | None:
        v = r["value"]
        if v is None:
            return None
        v = dict(v)
        v["amount"] = Decimal(v["amount"]) if v["amount"] is not None else None
        v["created_at"] = ts(v["created_at"]) if v["created_at"] else None
        v["day"] = date.fromisoformat(v["day"]) if v["day"] else None
        return v

    table = pa.table(
        {
            "meta": pa.array(
                [{"ts": ts(r["ts"]), "action": r["action"]} for r in recs],
                pa.struct([("ts", pa.timestamp("us", tz="UTC")), ("action", pa.string())]),
            ),
            "key": pa.array([{"id": r["id"]} for r in recs], pa.struct([("id", pa.int64())])),
            "value": pa.array([value(r) for r in recs], value_t),
        }
    )
    pq.write_table(table, path)
    return path


def test_parquet_nested_layout(tmp_path: Path, layout: TableLayout) -> None:
    recs = records()
    got = read_all(_nested_parquet(tmp_path / "o.parquet", recs), "parquet", layout)
    assert got == expected(recs)


def test_parquet_flat_dotted_layout(tmp_path: Path, layout: TableLayout) -> None:
    table = pa.table(
        {
            "meta.ts": pa.array([ts("2024-01-01T00:00:00Z")], pa.timestamp("ms")),
            "key.id": pa.array([5], pa.int32()),
            "value.name": ["x\ty"],
            "value.settings": pa.array(
                [{"a": 1, "b": None, "tags": ["q"]}],
                pa.struct([("a", pa.int64()), ("b", pa.string()), ("tags", pa.list_(pa.string()))]),
            ),
        }
    )
    path = tmp_path / "o.parquet"
    pq.write_table(table, path)
    (row,) = read_all(path, "parquet", layout)
    assert row["id"] == 5 and row["name"] == "x\ty"
    assert row["settings"] == {"a": 1, "tags": ["q"]}
    assert row["meta_ts"] == ts("2024-01-01T00:00:00Z")


def test_json_text_matches_json_dumps() -> None:
    t = pa.struct(
        [
            ("s", pa.string()),
            ("i", pa.int64()),
            ("f", pa.float64()),
            ("b", pa.bool_()),
            ("l", pa.list_(pa.string())),
            ("n", pa.struct([("x", pa.int32())])),
        ]
    )
    values = [
        {"s": s, "i": i, "f": i / 7, "b": i % 2 == 0, "l": [s, None], "n": {"x": i}}
        for i, s in enumerate(NASTY)
    ] + [None, {"s": None, "i": None, "f": None, "b": None, "l": None, "n": None}]
    arr = pa.array(values, t)
    got = [json.loads(x) if x is not None else None for x in json_text(arr).to_pylist()]
    want: list[Any] = []
    for v in values:
        if v is None:
            want.append(None)
            continue
        kept = {k: x for k, x in v.items() if x is not None}
        want.append(kept or None)
    assert got == want


def test_json_text_of_sliced_list_array() -> None:
    arr = pa.array([["a"], ["b", "c"], None, []], pa.list_(pa.string())).slice(1)
    assert json_text(arr).to_pylist() == ['["b","c"]', None, "[]"]


def test_json_object_single_field_keeps_length() -> None:
    out = json_object([("a", pa.array(["1", None, None]))], 3)
    assert out.to_pylist() == ['{"a":1}', None, None]


def test_unknown_format(tmp_path: Path, layout: TableLayout) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        list(read_object(tmp_path / "x", "xml", layout))


def test_timestamps_as_text_is_utc_wall_time() -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "t": pa.array(
                [1_700_000_000_000_000, 1_700_000_000_500_000, None], pa.timestamp("us", tz="UTC")
            ),
            "whole": pa.array(
                [1_700_000_000_000_000, None, 0], pa.timestamp("us", tz="America/New_York")
            ),
            "naive": pa.array([0, 1, 2], pa.timestamp("us")),
            "x": [1, 2, 3],
        }
    )
    out = timestamps_as_text(batch)
    # a column with fractions keeps them on every value; UTC wall time, whatever the zone
    assert out.column("t").to_pylist() == [
        "2023-11-14 22:13:20.000000",
        "2023-11-14 22:13:20.500000",
        None,
    ]
    assert out.column("whole").to_pylist() == ["2023-11-14 22:13:20", None, "1970-01-01 00:00:00"]
    assert out.column("naive").to_pylist()[1] == "1970-01-01 00:00:00.000001"
    assert out.column("x") == batch.column("x")
    assert out.schema.field("t").type == pa.string()


def test_rebatch_groups_without_losing_rows() -> None:
    batches = [pa.RecordBatch.from_pydict({"a": list(range(i, i + 3))}) for i in range(0, 30, 3)]
    tables = list(rebatch(batches, 7))
    assert [t.num_rows for t in tables] == [9, 9, 9, 3]
    assert pa.concat_tables(tables).column("a").to_pylist() == list(range(30))
    other = pa.RecordBatch.from_pydict({"b": ["x"]})
    mixed = list(rebatch([batches[0], other, batches[1]], 100))
    assert [t.schema.names for t in mixed] == [["a"], ["b"], ["a"]]


def test_csv_spool_rotates_normalizes_headers_and_keeps_empty_vs_null(tmp_path: Path) -> None:
    import pyarrow.csv as pcsv

    from loader.spool import CsvSpool

    spool = CsvSpool(tmp_path / "spool", rows_per_file=5, normalize_name=str.lower)
    batch = pa.RecordBatch.from_pydict({"ID": list(range(4)), "Name": ["", None, 'q"uote,\n', "x"]})
    done = spool.write(batch) + spool.write(batch)  # 8 rows: one full file
    assert [rows for _, rows, _ in done] == [8]
    other = pa.RecordBatch.from_pydict({"ID": [9]})
    done += spool.write(other)  # a schema change closes nothing new (file 2 holds 0 rows yet)
    done += spool.close()
    assert [rows for _, rows, _ in done] == [8, 1]
    path, _, schema = done[0]
    assert schema.names == ["id", "name"]
    assert path.read_text().splitlines()[0] == '"id","name"'
    back = pcsv.read_csv(
        path,
        convert_options=pcsv.ConvertOptions(
            column_types={"name": pa.string()},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    assert back.column("name").to_pylist()[:4] == ["", None, 'q"uote,\n', "x"]


def test_background_spool_writes_what_the_spool_would(tmp_path: Path) -> None:
    from loader.spool import BackgroundSpool, CsvSpool

    batches = [pa.RecordBatch.from_pydict({"a": list(range(i, i + 3))}) for i in range(0, 30, 3)]
    plain = CsvSpool(tmp_path / "plain", rows_per_file=7)
    expected_files = [f for b in batches for f in plain.write(b)] + plain.close()
    threaded = BackgroundSpool(CsvSpool(tmp_path / "threaded", rows_per_file=7), depth=1)
    for b in batches:
        threaded.write(b)
    files = threaded.close()
    assert [(p.name, rows) for p, rows, _ in files] == [
        (p.name, rows) for p, rows, _ in expected_files
    ]
    for (p, _, _), (q, _, _) in zip(files, expected_files, strict=True):
        assert p.read_bytes() == q.read_bytes()


def test_background_spool_raises_a_write_error_in_the_caller(tmp_path: Path) -> None:
    from loader.spool import BackgroundSpool, CsvSpool

    spool = BackgroundSpool(CsvSpool(tmp_path / "s", rows_per_file=100), depth=1)
    spool.write(pa.RecordBatch.from_pydict({"a": [1]}))
    # a struct column cannot be written as CSV: the writer thread fails on it
    spool.write(pa.RecordBatch.from_pydict({"a": [1]}).append_column("s", pa.array([{"x": 1}])))
    with pytest.raises(pa.ArrowException):
        for _ in range(100):  # later writes (or close) re-raise the writer's error
            spool.write(pa.RecordBatch.from_pydict({"a": [2]}))
        spool.close()


def test_background_spool_abort_stops_a_blocked_writer(tmp_path: Path) -> None:
    from loader.spool import BackgroundSpool, CsvSpool

    spool = BackgroundSpool(CsvSpool(tmp_path / "s", rows_per_file=100), depth=1)
    for i in range(20):
        spool.write(pa.RecordBatch.from_pydict({"a": [i]}))
    spool.abort()  # returns: the thread drains and stops
    assert not spool._thread.is_alive()


# --------------------------------------------------------------------------- empty objects


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl", "parquet"])
@pytest.mark.parametrize("kind", ["zero_bytes", "empty_gzip", "header_only", "blank_gzip"])
def test_empty_objects_yield_no_rows(
    tmp_path: Path, layout: TableLayout, fmt: str, kind: str
) -> None:
    path = tmp_path / f"o.{fmt}.gz"
    sep = "\t" if fmt == "tsv" else ","
    header = sep.join(["meta.ts", "key.id", "value.name"])
    if kind == "zero_bytes":
        path.write_bytes(b"")
    elif kind == "empty_gzip":
        path.write_bytes(gzip.compress(b""))
    elif kind == "blank_gzip":
        path.write_bytes(gzip.compress(b"\n\n" if fmt == "jsonl" else b""))
    elif fmt in ("tsv", "csv"):
        path.write_bytes(gzip.compress(header.encode()))  # no newline either
    elif fmt == "parquet":
        pq.write_table(pa.table({"key": pa.array([], pa.struct([("id", pa.int64())]))}), path)
    else:
        path.write_bytes(gzip.compress(b" "))
    assert list(read_object(path, fmt, layout)) == []


# --------------------------------------------------------------------------- refused values


def write_rows(path: Path, rows: list[str]) -> Path:
    head = "meta.ts\tkey.id\tvalue.name\tvalue.n16\tvalue.amount\tvalue.created_at\tvalue.day"
    head += "\tvalue.settings\tvalue.score"
    path.write_bytes(gzip.compress(("\n".join([head, *rows]) + "\n").encode()))
    return path


GOOD = "ok\t1\t2.50\t2024-01-01T00:00:00Z\t2024-01-01\t{}\t1.5"
REFUSED: list[tuple[str, str, str]] = [
    # (the row's cells after meta.ts and key.id, column, reason)
    ("a\\0b" + GOOD[2:], "name", "NUL"),
    ("ok\t99999" + GOOD[4:], "n16", "16-bit integer"),
    ("ok\t1\t12.5abc\t2024-01-01T00:00:00Z\t2024-01-01\t{}\t1.5", "amount", "not a number"),
    ("ok\t1\t2.50\t0000-06-15T00:00:00Z\t2024-01-01\t{}\t1.5", "created_at", "outside"),
    ("ok\t1\t2.50\t12000-01-01T00:00:00Z\t2024-01-01\t{}\t1.5", "created_at", "timestamp"),
    ("ok\t1\t2.50\t2024-01-01T00:00:00Z\t0000-01-01\t{}\t1.5", "day", "outside"),
    ('ok\t1\t2.50\t2024-01-01T00:00:00Z\t2024-01-01\t{"b": \t1.5', "settings", "JSON"),
    ('ok\t1\t2.50\t2024-01-01T00:00:00Z\t2024-01-01\t{"b":"\\\\u0000"}\t1.5', "settings", "u0000"),
    ("ok\t1\t2.50\t2024-01-01T00:00:00Z\t2024-01-01\t[NaN]\t1.5", "settings", "JSON"),
    ("ok\t1\t2.50\t2024-01-01T00:00:00Z\t2024-01-01\t{}\tabc", "score", "number"),
]


@pytest.mark.parametrize(
    ("cells", "column", "reason"), REFUSED, ids=[r[1] + "-" + r[2] for r in REFUSED]
)
def test_refused_value_is_null_and_recorded(
    tmp_path: Path, layout: TableLayout, cells: str, column: str, reason: str
) -> None:
    rows = [f"2024-01-01T00:00:00Z\t{i}\t{GOOD}" for i in range(1, 4)]
    rows.insert(1, f"2024-01-01T00:00:00Z\t42\t{cells}")
    path = write_rows(tmp_path / "o.tsv.gz", rows)
    rejects: list[Reject] = []
    out = read_all(path, "tsv", layout, rejects=rejects)
    assert [r["id"] for r in out] == [1, 42, 2, 3]
    assert out[1][column] is None
    assert all(r[column] is not None for i, r in enumerate(out) if i != 1)
    assert len(rejects) == 1, rejects
    assert (rejects[0].column, rejects[0].row, json.loads(rejects[0].key)) == (
        column,
        1,
        {"id": 42},
    )
    assert reason in rejects[0].reason
    # without a rejects list the same value fails the object, in one line naming it
    with pytest.raises(ParseError, match=f"tsv object o.tsv.gz: row 2, column {column}: "):
        read_all(path, "tsv", layout)


def test_refused_value_in_a_key_fails_the_object(tmp_path: Path, layout: TableLayout) -> None:
    path = write_rows(tmp_path / "o.tsv.gz", [f"2024-01-01T00:00:00Z\tx1\t{GOOD}"])
    with pytest.raises(ParseError, match="row 1, column id: not a valid 64-bit integer"):
        read_all(path, "tsv", layout, rejects=[])


def test_nul_in_a_column_the_schema_does_not_know_is_a_reject(
    tmp_path: Path, layout: TableLayout
) -> None:
    path = tmp_path / "o.tsv.gz"
    path.write_bytes(
        gzip.compress(b"meta.ts\tkey.id\tvalue.extra\n2024-01-01T00:00:00Z\t7\ta\\0b\n")
    )
    rejects: list[Reject] = []
    rows = read_all(path, "tsv", layout, rejects=rejects)
    assert rows[0]["extra"] is None
    assert [(r.column, r.key, r.value) for r in rejects] == [("extra", '{"id": 7}', "a\\u0000b")]
