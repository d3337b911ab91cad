"""Values real DAP servers may serve that PostgreSQL refuses, and empty objects: job faults.

``poison`` (fault kind, route ``create_job``) corrupts the first ``rows`` non-null values of one
column in the job's data, in the served file format; ``empty_objects`` adds objects without
records to the job. Both change only the job they fire on (never reused, never cached together
with clean jobs). ``value_kind`` of a ``poison`` rule:

==================  ==========================================================================
``nul``             a NUL byte inside a text value (every format)
``json_nul``        a NUL character inside a string of a JSON column: ``\\u0000`` in the JSON
                    text (every format; the column needs a string sub-property)
``bad_json``        malformed JSON text in a JSON column (TSV and CSV: the other formats carry
                    structures, not text)
``not_numeric``     ``12.5abc`` in a number column (TSV, CSV and Parquet as text; JSONL as a
                    JSON string)
``year0``           a timestamp or date in year 0 (``0000-06-15``), which PostgreSQL refuses
``before_range``    a timestamp in 5000 BC, before PostgreSQL's range (Parquet only: text
                    formats write it as ``-5000-…``)
``after_range``     a timestamp in year 12000 (beyond the four-digit years ISO text allows)
``int_overflow``    an integer too large for its column (``2^40`` in a 32-bit column,
                    ``2^70`` in a 64-bit one: text formats only)
==================  ==========================================================================

Empty objects (``empty_objects``) are: a zero-byte file (no gzip header at all), a gzip stream
of nothing, and for TSV/CSV a header-only object; for Parquet a zero-row file. They are added
after the job's data objects.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from emulator import formats

POISON_KINDS: tuple[str, ...] = (
    "nul",
    "json_nul",
    "bad_json",
    "not_numeric",
    "year0",
    "before_range",
    "after_range",
    "int_overflow",
)
_YEAR0_US = -62_152_876_800_000_000  # 0000-06-15T00:00:00Z (proleptic Gregorian)
_YEAR0_DAYS = -719_362  # 0000-06-15
_BC5000_US = -219_950_000_000_000_000  # about 5000 BC
_Y12000_US = 316_592_000_000_000_000  # about year 12000


class PoisonError(ValueError):
    """A poison rule that cannot apply to the chosen column or format."""


def _field(schema: pa.Schema, column: str) -> str:
    for name in (f"value.{column}", f"key.{column}", column):
        if name in schema.names:
            return name
    raise PoisonError(f"no column {column!r} in {schema.names}")


def _text_of(values: pa.Array) -> pa.Array:
    """A column as the text its TSV/CSV cells carry (strings, JSON for nested values)."""
    return formats.plain_text(values)


def poisoned_schema(schema: pa.Schema, fmt: str, kind: str, column: str) -> pa.Schema:
    """The schema of the batches :func:`poison_batches` yields.

    Args:
        schema: the clean batch schema.
        fmt: the served format.
        kind: a :data:`POISON_KINDS` value.
        column: the CD2 column.

    Returns:
        The schema (a column becomes text where the poison is only expressible as text).
    """
    name = _field(schema, column)
    if _as_text(schema.field(name).type, fmt, kind):
        i = schema.get_field_index(name)
        return schema.set(i, pa.field(name, pa.string()))
    return schema


def check(schema: pa.Schema, fmt: str, kind: str, column: str) -> None:
    """Raise :class:`PoisonError` unless the poison applies to this column and format.

    Args:
        schema: the clean batch schema.
        fmt: the served format.
        kind: a :data:`POISON_KINDS` value.
        column: the CD2 column.
    """
    name = _field(schema, column)
    poisoned_schema(schema, fmt, kind, column)
    _poison_value(pa.array([], schema.field(name).type), fmt, kind, [])


def _as_text(t: pa.DataType, fmt: str, kind: str) -> bool:
    if kind in ("bad_json", "int_overflow"):
        if fmt not in ("tsv", "csv"):
            raise PoisonError(f"{kind} is expressible in TSV and CSV only")
        return True
    if kind == "not_numeric":
        return True
    if kind in ("year0", "after_range", "before_range"):
        if kind == "before_range" and fmt != "parquet":
            raise PoisonError("before_range is expressible in Parquet only")
        return fmt != "parquet" and kind == "after_range"
    return False


def _poison_value(values: pa.Array, fmt: str, kind: str, rows: list[int]) -> pa.Array:
    t = values.type
    mask = pc.is_in(pa.array(range(len(values))), pa.array(rows, pa.int64()))
    if kind == "nul":
        if not pa.types.is_string(t):
            raise PoisonError("nul needs a text column")
        bad = pc.binary_join_element_wise(values, "poison\x00", "")
        return pc.if_else(mask, bad, values)
    if kind == "json_nul":
        if not pa.types.is_struct(t):
            raise PoisonError("json_nul needs a JSON object column")
        children = []
        done = False
        for i in range(t.num_fields):
            child = pc.struct_field(values, [i])
            if not done and pa.types.is_string(child.type):
                child = pc.if_else(
                    mask,
                    pc.binary_join_element_wise(pc.fill_null(child, ""), "nul\x00here", ""),
                    child,
                )
                done = True
            children.append(child)
        if not done:
            raise PoisonError("json_nul needs a JSON object column with a string property")
        return pa.StructArray.from_arrays(
            children, fields=list(t), mask=values.is_null() if values.null_count else None
        )
    if kind == "bad_json":
        return pc.if_else(mask, pa.scalar('{"broken": '), _text_of(values))
    if kind == "not_numeric":
        if not (pa.types.is_decimal(t) or pa.types.is_floating(t) or pa.types.is_integer(t)):
            raise PoisonError("not_numeric needs a number column")
        return pc.if_else(mask, pa.scalar("12.5abc"), _text_of(values))
    if kind == "int_overflow":
        if not pa.types.is_integer(t):
            raise PoisonError("int_overflow needs an integer column")
        big = str(2**40) if t.bit_width <= 32 else str(2**70)
        return pc.if_else(mask, pa.scalar(big), _text_of(values))
    if kind in ("year0", "before_range", "after_range"):
        if pa.types.is_date(t):
            if kind != "year0":
                raise PoisonError(f"{kind} needs a timestamp column")
            days = pc.if_else(mask, pa.scalar(_YEAR0_DAYS, pa.int32()), values.cast(pa.int32()))
            return days.cast(t)
        if not pa.types.is_timestamp(t):
            raise PoisonError(f"{kind} needs a timestamp or date column")
        us = {"year0": _YEAR0_US, "before_range": _BC5000_US, "after_range": _Y12000_US}[kind]
        if kind == "after_range" and fmt != "parquet":
            return pc.if_else(mask, pa.scalar("12000-01-01T00:00:00Z"), _text_of(values))
        raw = pc.if_else(mask, pa.scalar(us, pa.int64()), values.cast(pa.int64()))
        return raw.cast(t)
    raise PoisonError(f"unknown value_kind {kind!r}; expected one of {', '.join(POISON_KINDS)}")


def poison_batches(
    batches: Iterable[pa.RecordBatch], fmt: str, kind: str, column: str, rows: int
) -> Iterator[pa.RecordBatch]:
    """Corrupt the first ``rows`` non-null values of ``column`` (see the module docstring).

    Args:
        batches: the job's clean batches.
        fmt: the served format.
        kind: a :data:`POISON_KINDS` value.
        column: the CD2 column.
        rows: how many values to corrupt.

    Yields:
        The batches, of :func:`poisoned_schema`.
    """
    left = rows
    for batch in batches:
        name = _field(batch.schema, column)
        schema = poisoned_schema(batch.schema, fmt, kind, column)
        i = batch.schema.get_field_index(name)
        values = batch.column(i)
        picked: list[int] = []
        if left > 0:
            valid = pc.indices_nonzero(values.is_valid()).to_pylist()
            picked = valid[:left]
            left -= len(picked)
        if picked:
            values = _poison_value(values, fmt, kind, picked)
        elif schema.field(name).type != values.type:
            values = _text_of(values)
        columns = list(batch.columns)
        columns[i] = values
        yield pa.RecordBatch.from_arrays(columns, schema=schema)


def write_empty_objects(
    directory: Path, schema: pa.Schema, fmt: str, mode: str, tag: str
) -> list[tuple[str, int, int]]:
    """Objects without records for a job: see the module docstring.

    Args:
        directory: where to write them.
        schema: the job's batch schema.
        fmt: the format.
        mode: the mode.
        tag: part of the file names.

    Returns:
        ``(file name, rows, bytes)`` per object.
    """
    directory.mkdir(parents=True, exist_ok=True)
    suffix = formats.SUFFIXES[fmt]
    made: list[tuple[str, int, int]] = []
    zero = directory / f"part-90000-{tag}-empty{suffix}"
    zero.write_bytes(b"")
    made.append((zero.name, 0, 0))
    if fmt != "parquet":
        stream = directory / f"part-90001-{tag}-empty{suffix}"
        stream.write_bytes(gzip.compress(b""))
        made.append((stream.name, 0, stream.stat().st_size))
    if fmt != "jsonl":
        only = directory / f"part-90002-{tag}-empty{suffix}"
        writer = formats.ObjectWriter(only, schema, fmt, mode)
        writer.close()
        made.append((only.name, 0, only.stat().st_size))
    return made
