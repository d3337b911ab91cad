"""Reference readers for DAP object files, written independently of ``emulator.formats``.

They parse TSV (PostgreSQL COPY text), CSV (RFC 4180, telling an empty unquoted field from
``""``), JSON Lines and Parquet back into Python values, so tests can compare them with the
record batches that were encoded. Per-row Python is fine here: these are test oracles.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pyarrow as pa

TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_COPY_ESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}


class Missing:
    """Marks a CSV field that was empty and unquoted (NULL)."""


def copy_unescape(field: str) -> str | None:
    """One PostgreSQL COPY text field: ``\\N`` is NULL, backslash escapes decoded."""
    if field == "\\N":
        return None
    out: list[str] = []
    i = 0
    while i < len(field):
        c = field[i]
        if c == "\\":
            nxt = field[i + 1]
            assert nxt in _COPY_ESCAPES, f"unknown escape \\{nxt} in {field!r}"
            out.append(_COPY_ESCAPES[nxt])
            i += 2
        else:
            assert c not in "\t\n\r", f"raw control character in {field!r}"
            out.append(c)
            i += 1
    return "".join(out)


def parse_tsv(text: str) -> tuple[list[str], list[list[str | None]]]:
    """Header and rows of a TSV object (rows of unescaped text, None for NULL)."""
    assert text.endswith("\n"), "TSV must end with a newline"
    lines = text[:-1].split("\n")
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        assert line != "", "blank line in TSV"
        fields = line.split("\t")
        assert len(fields) == len(header), f"field count {len(fields)} != {len(header)}"
        rows.append([copy_unescape(f) for f in fields])
    return header, rows


def parse_csv(text: str) -> tuple[list[str], list[list[str | None]]]:
    """Header and rows of an RFC 4180 CSV object (None for an empty unquoted field)."""
    rows: list[list[str | None]] = []
    row: list[str | None] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            i += 1
            buf = []
            while True:
                j = text.index('"', i)
                buf.append(text[i:j])
                if j + 1 < n and text[j + 1] == '"':
                    buf.append('"')
                    i = j + 2
                    continue
                i = j + 1
                break
            row.append("".join(buf))
        else:
            j = i
            while j < n and text[j] not in ",\n":
                j += 1
            value = text[i:j]
            assert '"' not in value and "\r" not in value, f"unquoted special in {value!r}"
            row.append(value if value != "" else None)
            i = j
        if i >= n:
            rows.append(row)
            break
        if text[i] == ",":
            i += 1
            if i >= n or text[i] == "\n":
                row.append(None)
        if i < n and text[i] == "\n":
            rows.append(row)
            row = []
            i += 1
    header = [h or "" for h in rows[0]]
    body = rows[1:]
    for r in body:
        assert len(r) == len(header), f"field count {len(r)} != {len(header)}"
    return header, body


def parse_timestamp(text: str) -> dt.datetime:
    """A DAP timestamp (``Z``, at most 6 fraction digits), strictly."""
    match = TS_RE.match(text)
    assert match, f"bad timestamp text {text!r}"
    assert match.group(1) is None or match.group(1).strip(".0"), f"zero fraction in {text!r}"
    return dt.datetime.fromisoformat(text)


def from_text(text: str | None, type_: pa.DataType, *, nested_json: bool = True) -> Any:
    """Parse TSV/CSV text of a column back to the Python value pyarrow would give."""
    if text is None:
        return None
    if pa.types.is_struct(type_) or pa.types.is_list(type_):
        return from_json(json.loads(text), type_) if nested_json else text
    if pa.types.is_timestamp(type_):
        return parse_timestamp(text)
    if pa.types.is_date(type_):
        return dt.date.fromisoformat(text)
    if pa.types.is_boolean(type_):
        assert text in ("true", "false"), text
        return text == "true"
    if pa.types.is_integer(type_):
        return int(text)
    if pa.types.is_floating(type_):
        return float(text)
    if pa.types.is_decimal(type_):
        return Decimal(text)
    return text


def from_json(value: Any, type_: pa.DataType) -> Any:
    """A JSON value (from condensed text or JSON Lines) as the Python value pyarrow would give.

    Structs come back with every field, missing ones as None (JSON leaves nulls out).
    """
    if value is None:
        return None
    if pa.types.is_struct(type_):
        assert isinstance(value, dict) and value, f"bad object {value!r}"
        names = {type_.field(i).name for i in range(type_.num_fields)}
        assert set(value) <= names, f"unknown members {set(value) - names}"
        assert all(v is not None for v in value.values()), "null members must be left out"
        return {
            type_.field(i).name: from_json(value.get(type_.field(i).name), type_.field(i).type)
            for i in range(type_.num_fields)
        }
    if pa.types.is_list(type_):
        assert isinstance(value, list)
        return [from_json(v, type_.value_type) for v in value]
    if pa.types.is_timestamp(type_):
        return parse_timestamp(value)
    if pa.types.is_date(type_):
        return dt.date.fromisoformat(value)
    if pa.types.is_decimal(type_):
        return Decimal(str(value))
    if pa.types.is_floating(type_):
        return float(value)
    return value


def normalise(value: Any, type_: pa.DataType) -> Any:
    """A pyarrow Python value as the readers give it back (all-null structs become None)."""
    if value is None:
        return None
    if pa.types.is_struct(type_):
        inner = {
            type_.field(i).name: normalise(value.get(type_.field(i).name), type_.field(i).type)
            for i in range(type_.num_fields)
        }
        return None if all(v is None for v in inner.values()) else inner
    if pa.types.is_list(type_):
        return [normalise(v, type_.value_type) for v in value]
    if pa.types.is_timestamp(type_):
        return value.astimezone(dt.UTC)
    return value


def expected_columns(schema: pa.Schema, mode: str) -> list[tuple[str, pa.DataType]]:
    """Header names and types the DAP text formats should have for a batch schema."""
    out = []
    for f in schema:
        if mode == "expanded" and pa.types.is_struct(f.type):
            out += [(f"{f.name}.{c.name}", c.type) for c in f.type]
        else:
            out.append((f.name, f.type))
    return out


def expected_rows(batch: pa.RecordBatch, mode: str) -> list[list[Any]]:
    """The rows of a batch as the text formats should encode them (normalised values)."""
    cols = expected_columns(batch.schema, mode)
    out = []
    for row in batch.to_pylist():
        values = []
        for name, type_ in cols:
            if name in row:
                values.append(normalise(row[name], type_))
            else:
                parent, _, child = name.rpartition(".")
                struct = row[parent]
                values.append(normalise(None if struct is None else struct[child], type_))
        out.append(values)
    return out


def decode_text_rows(
    header: list[str], rows: list[list[str | None]], schema: pa.Schema, mode: str
) -> list[list[Any]]:
    """Typed values of parsed TSV/CSV rows (asserts the header)."""
    cols = expected_columns(schema, mode)
    assert header == [n for n, _ in cols], f"header {header} != {[n for n, _ in cols]}"
    return [[from_text(v, t) for v, (_, t) in zip(r, cols, strict=True)] for r in rows]


def decode_jsonl(text: str, schema: pa.Schema) -> list[list[Any]]:
    """Typed values of JSON Lines rows, in the flat column order of ``schema``."""
    assert text == "" or text.endswith("\n")
    out = []
    for line in text.splitlines():
        record = json.loads(line)
        assert set(record) <= {"meta", "key", "value"}, record.keys()
        deleted = record["meta"].get("action") == "D"
        if deleted:
            assert "value" not in record, "a delete must have no value"
        values = []
        for f in schema:
            group, _, name = f.name.partition(".")
            obj = record.get(group, {})
            if name in obj:
                assert obj[name] is not None, "null properties must be left out"
            values.append(from_json(obj.get(name), f.type))
        out.append([normalise(v, f.type) for v, f in zip(values, schema, strict=True)])
    return out
