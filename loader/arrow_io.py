"""DAP object files (gzip TSV, CSV, JSON Lines; Parquet) → Arrow record batches. Pure functions.

Every reader streams: it holds a few blocks of text (``block_size`` bytes, default 1 MiB) or
one Parquet batch at a time, so memory does not grow with the size of an object or a table.

Output batches have the raw table's CD2 columns, typed as :mod:`loader.schema` says, followed by
``meta_ts`` and ``meta_action`` (``U`` when the file has no action column, as snapshots do):

* **TSV** is PostgreSQL ``COPY`` text: tab-separated, ``\\N`` for NULL, an empty field is an empty
  string, and backslash escapes (``\\\\ \\t \\n \\r \\b \\f \\v``) inside values. pyarrow's
  multithreaded CSV reader splits and types the fields (no quoting, no escape handling: escaped
  tabs and newlines never look like separators), then :func:`unescape_copy_text` decodes escapes
  in string columns with a few vectorised replacements.
* **CSV** is RFC 4180 with a header of dotted names; an unquoted empty field is NULL, ``""`` an
  empty string.
* **JSON Lines** has nested ``meta``/``key``/``value`` objects; pyarrow's JSON reader parses it
  against an explicit schema.
* **Parquet** may use nested ``meta``/``key``/``value`` structs or flat dotted names.

Nested objects and arrays always end up as one JSON-text column (loaded as ``jsonb``): condensed
files already carry JSON text; ``mode=expanded`` columns (``value.obj.sub``) and nested Arrow
structs/lists are re-assembled into JSON by :func:`json_text` / :func:`json_object`, vectorised.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import logging
import re
import shutil
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.json as pjson
import pyarrow.parquet as pq

from loader.schema import JSON, ColumnSpec, TableLayout

logger = logging.getLogger(__name__)

FORMATS = ("tsv", "csv", "jsonl", "parquet")
DEFAULT_BLOCK_SIZE = 1 << 20  # measured: small blocks parse fastest and keep readahead small
DEFAULT_BATCH_ROWS = 65_536
DEFAULT_YIELD_ROWS = 65_536
OVERSIZED = "__cd2_oversized_truncated__"
_GZIP_MAGIC = b"\x1f\x8b"
_TS = pa.timestamp("us", tz="UTC")


class ParseError(ValueError):
    """An object file could not be parsed (malformed data, not the expected format)."""


class CorruptObjectError(ParseError):
    """An object's compressed stream is truncated or corrupt: a bad download, not bad data.

    Downloading the object again may fix it (see :func:`loader.dap.jobs.download_again`).
    """


# what reading a damaged file raises: Arrow's and Python's decompressors (truncated stream, CRC
# or header errors; gzip.BadGzipFile is an OSError) and local I/O
_STREAM_ERRORS = (OSError, EOFError, zlib.error)


@dataclass(frozen=True)
class ReadOptions:
    """Tuning for the readers.

    Attributes:
        block_size: bytes of text per parsed block (TSV, CSV, JSONL); about one output batch.
        batch_rows: rows per batch for Parquet.
        use_threads: let pyarrow parse blocks on its thread pool.
        yield_rows: rows per item handed to dlt (small parsed batches are grouped).
    """

    block_size: int = DEFAULT_BLOCK_SIZE
    batch_rows: int = DEFAULT_BATCH_ROWS
    use_threads: bool = True
    yield_rows: int = DEFAULT_YIELD_ROWS


# --------------------------------------------------------------------------- escapes and JSON

_COPY_ESCAPES = (
    ("\\n", "\n"),
    ("\\t", "\t"),
    ("\\r", "\r"),
    ("\\b", "\b"),
    ("\\f", "\f"),
    ("\\v", "\v"),
)
# swapped in for an escaped backslash while the other escapes are decoded; values that already
# hold it (or an octal or hex escape) take the exact per-value path instead
_PLACEHOLDER = "\uffff"
_SLOW_ESCAPES = r"\\[0-7x]|\x{FFFF}"
_ESCAPE = re.compile(rb"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)", re.DOTALL)
_SHORT = {b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v"}


def _any_true(mask: pa.Array | pa.ChunkedArray) -> bool:
    return bool(pc.any(mask).as_py())


def _buffer_has(values: pa.Array, needle: bytes) -> bool:
    """Cheap pre-check: whether the data buffer behind a string array holds ``needle``.

    May answer True for bytes outside the array's slice; never False for bytes inside it.
    """
    if len(values) == 0 or values.null_count == len(values):
        return False
    buffers = values.buffers()
    data = buffers[2] if len(buffers) > 2 else None
    if data is None:
        return False
    return needle in memoryview(data).tobytes()


def _unescape_short(values: pa.Array) -> pa.Array:
    out = pc.replace_substring(values, "\\\\", _PLACEHOLDER)
    for escaped, char in _COPY_ESCAPES:
        out = pc.replace_substring(out, escaped, char)
    if _any_true(pc.match_substring(out, "\\")):
        out = pc.replace_substring_regex(out, r"\\(.)", r"\1")
    return pc.replace_substring(out, _PLACEHOLDER, "\\")


def _escape_byte(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code[:1] == b"x" and len(code) > 1:
        return bytes([int(code[1:], 16)])
    if code[:1].isdigit() and code[:1] < b"8":
        return bytes([int(code, 8) & 0xFF])
    return _SHORT.get(code, code)


def decode_copy_text(value: str) -> str | None:
    """Decode one PostgreSQL COPY text value, every escape included (the exact, slow path).

    ``\\b \\f \\n \\r \\t \\v``, ``\\`` followed by one to three octal digits or by
    ``x`` and one or two hex digits (a byte each; several make up a UTF-8 sequence), and a backslash
    before any other character stands for that character.

    Args:
        value: the text as split from the file.

    Returns:
        The decoded text, or None when the bytes the escapes spell are not UTF-8.
    """
    raw = _ESCAPE.sub(_escape_byte, value.encode("utf-8", "surrogatepass"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _unescape_all(values: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    slow = pc.fill_null(pc.match_substring_regex(values, _SLOW_ESCAPES), False)
    if not _any_true(slow):
        return _unescape_short(values), None
    decoded = [
        None if v is None else decode_copy_text(v) for v in pc.filter(values, slow).to_pylist()
    ]
    fixed = pa.array(decoded, pa.string())
    bad: pa.Array | None = None
    if fixed.null_count > pc.filter(values, slow).null_count:
        bad = pc.replace_with_mask(pa.repeat(pa.scalar(False), len(values)), slow, fixed.is_null())
    fast = pc.invert(slow)
    out = values
    if _any_true(fast):
        out = pc.replace_with_mask(values, fast, _unescape_short(pc.filter(values, fast)))
    return pc.replace_with_mask(out, slow, fixed), bad


def unescape_copy_text_checked(values: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """Decode PostgreSQL COPY text escapes in a string array; report undecodable values.

    The short escapes (``\\\\``, ``\\n \\t \\r \\b \\f \\v`` and a backslash before
    any other character) are decoded with a few vectorised replacements; an escaped backslash is
    swapped for a placeholder (U+FFFF) meanwhile, so ``\\\\n`` correctly becomes a backslash
    followed by ``n``. Values with an octal (``\\101``) or hex (``\\x41``) escape, or that hold
    the placeholder themselves, are decoded one by one by :func:`decode_copy_text`. Only the values
    that contain a backslash are touched (a byte search of the data buffer skips clean columns).

    Args:
        values: a string array as split from the file.

    Returns:
        The decoded array (the input itself when it holds no backslash), and a mask of the
        values whose escapes spell bytes that are not UTF-8 (None when there are none); those
        values are NULL in the decoded array.
    """
    if not _buffer_has(values, b"\\"):
        return values, None
    mask = pc.fill_null(pc.match_substring(values, "\\"), False)
    hits = int(pc.sum(mask).as_py() or 0)
    if hits == 0:
        return values, None
    if hits * 4 > len(values):
        return _unescape_all(values)
    fixed, bad = _unescape_all(pc.filter(values, mask))
    out = pc.replace_with_mask(values, mask, fixed)
    if bad is not None:
        bad = pc.replace_with_mask(pa.repeat(pa.scalar(False), len(values)), mask, bad)
    return out, bad


def unescape_copy_text(values: pa.Array) -> pa.Array:
    """Decode PostgreSQL COPY text escapes in a string array (see
    :func:`unescape_copy_text_checked`; undecodable values become NULL).

    Args:
        values: a string array as split from the file.

    Returns:
        The decoded array (the input itself when it holds no backslash).
    """
    return unescape_copy_text_checked(values)[0]


_JSON_ESCAPES = (
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
    ("\b", "\\b"),
    ("\f", "\\f"),
)


def json_quote(values: pa.Array) -> pa.Array:
    """JSON string literals (``"…"``, escaped) for a string array; NULL stays NULL.

    Args:
        values: strings.

    Returns:
        JSON text per element.
    """
    values = values.cast(pa.string()) if values.type != pa.string() else values
    if len(values) and _any_true(pc.match_substring_regex(values, r'[\\"\x00-\x1f]')):
        for raw, escaped in _JSON_ESCAPES:
            values = pc.replace_substring(values, raw, escaped)
        if _any_true(pc.match_substring_regex(values, r"[\x00-\x1f]")):
            for code in range(32):
                values = pc.replace_substring(values, chr(code), f"\\u{code:04x}")
    return pc.binary_join_element_wise('"', values, '"', "")


def json_object(fields: Sequence[tuple[str, pa.Array]], length: int) -> pa.Array:
    """Assemble JSON objects from per-field JSON text arrays, vectorised.

    Like DAP's condensed output, NULL fields are left out, and an object whose fields are all NULL
    is NULL itself (not ``{}``).

    Args:
        fields: ``(name, JSON text array)`` pairs, each of ``length`` elements.
        length: number of rows.

    Returns:
        A string array of JSON objects.
    """
    if not fields:
        return pa.nulls(length, pa.string())
    # Each present field becomes '"name":value,' ('' when NULL); the trailing comma is trimmed.
    # (binary_join_element_wise's null_handling='skip' drops rows in pyarrow 26, so avoid it.)
    pairs = [
        pc.fill_null(pc.binary_join_element_wise(json.dumps(name) + ":", values, ",", ""), "")
        for name, values in fields
    ]
    joined = pairs[0] if len(pairs) == 1 else pc.binary_join_element_wise(*pairs, "")
    joined = pc.utf8_rtrim(joined, ",")
    text = pc.binary_join_element_wise("{", joined, "}", "")
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), text)


def json_text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Arrow values as JSON text (structs → objects, lists → arrays, scalars → literals).

    Args:
        values: any Arrow array.

    Returns:
        A string array; NULL where the input is NULL (or a struct whose fields are all NULL).
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    t = values.type
    n = len(values)
    if pa.types.is_dictionary(t):
        return json_text(values.dictionary_decode())
    if pa.types.is_null(t):
        return pa.nulls(n, pa.string())
    if pa.types.is_struct(t):
        fields = [
            (t.field(i).name, json_text(pc.struct_field(values, [i]))) for i in range(t.num_fields)
        ]
        out = json_object(fields, n)
        if values.null_count:
            out = pc.if_else(values.is_null(), pa.scalar(None, pa.string()), out)
        return out
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        offsets = values.offsets  # of this slice, into the unsliced child values
        start, end = offsets[0].as_py(), offsets[-1].as_py()
        items = pc.fill_null(json_text(values.values.slice(start, end - start)), "null")
        offsets = pc.subtract(offsets, pa.scalar(start, offsets.type))
        cls = pa.LargeListArray if pa.types.is_large_list(t) else pa.ListArray
        rebuilt = cls.from_arrays(offsets, items, mask=values.is_null())
        joined = pc.binary_join(rebuilt, ",")
        return pc.binary_join_element_wise("[", joined, "]", "")
    if pa.types.is_boolean(t):
        return pc.if_else(values, "true", "false")
    if pa.types.is_integer(t) or pa.types.is_decimal(t):
        return values.cast(pa.string())
    if pa.types.is_floating(t):
        text = values.cast(pa.string())
        return pc.if_else(pc.is_finite(values), text, pa.scalar(None, pa.string()))
    if pa.types.is_timestamp(t):
        utc = values.cast(pa.timestamp(t.unit, tz="UTC")) if t.tz is None else values
        return json_quote(
            pc.binary_join_element_wise(pc.strftime(utc, "%Y-%m-%dT%H:%M:%S"), "Z", "")
        )
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return json_quote(values)
    return json_quote(values.cast(pa.string()))


def fix_oversized_json(values: pa.Array) -> pa.Array:
    """Make DAP's ``__cd2_oversized_truncated__`` marker valid JSON in a JSON-text column.

    Args:
        values: JSON text.

    Returns:
        The array with the bare marker replaced by the same text as a JSON string.
    """
    hit = pc.equal(values, OVERSIZED)
    if not _any_true(pc.fill_null(hit, False)):
        return values
    return pc.if_else(pc.fill_null(hit, False), json.dumps(OVERSIZED), values)


# -------------------------------------------------------------------- values Postgres refuses

_NOT_UTF8 = "escapes spell bytes that are not UTF-8"
_NUL = "NUL byte (PostgreSQL text cannot hold it)"
_JSON_NUL = "\\u0000 in JSON (jsonb cannot hold it)"
_BAD_JSON = "not valid JSON"
_NOT_NUMERIC = "not a number"
_OUT_OF_RANGE = "outside 0001-01-01 .. 9999-12-31"
# timestamps and dates PostgreSQL takes from the ISO text the loader writes: years 1 to 9999
_TS_MIN, _TS_MAX = -62_135_596_800_000_000, 253_402_300_799_999_999  # microseconds
_DATE_MIN, _DATE_MAX = -719_162, 2_932_896  # days
_NUMERIC = r"^\s*[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,5})?|(?i:nan|inf|infinity))\s*$"
_NUMERIC_MAX_CHARS = 1000
# an unescaped \u0000: an odd number of backslashes before u0000
_JSON_NUL_ESCAPE = r"(^|[^\\])(\\\\)*\\u0000"
MAX_REJECT_CHARS = 1000


@dataclass(frozen=True)
class Reject:
    """A value the loader set NULL because PostgreSQL would refuse it (or it does not convert).

    Attributes:
        column: the raw column.
        row: row number within the object, from 0 (within the batch while parsing).
        value: the value as read, as text (None when it cannot be shown), NUL bytes written as
            ``\\u0000``, cut to :data:`MAX_REJECT_CHARS` characters.
        reason: why.
        key: the row's key columns as a JSON object (filled in by :func:`read_object`).
    """

    column: str
    row: int
    value: str | None
    reason: str
    key: str = ""


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    text = text.replace("\x00", "\\u0000")
    return text if len(text) <= MAX_REJECT_CHARS else text[:MAX_REJECT_CHARS] + "..."


def _reject(
    rejects: list[Reject], column: str, values: pa.Array, mask: pa.Array, reason: str
) -> None:
    """Record the values under ``mask`` as rejects (mask NULLs count as False)."""
    mask = pc.fill_null(mask, False)
    if not _any_true(mask):
        return
    rows = pc.indices_nonzero(mask).to_pylist()
    if pa.types.is_timestamp(values.type):
        naive = pc.take(values, rows).cast(pa.timestamp(values.type.unit))
        shown = [_shown(v) for v in naive.cast(pa.string()).to_pylist()]
    elif pa.types.is_date(values.type):
        days = pc.take(values, rows).cast(pa.int32()).to_pylist()
        shown = [None if d is None else f"{d} days after 1970-01-01" for d in days]
    else:
        try:
            shown = [_shown(v) for v in pc.take(values, rows).to_pylist()]
        except (ValueError, OverflowError, pa.ArrowException):
            shown = [None] * len(rows)
    rejects.extend(Reject(column, row, v, reason) for row, v in zip(rows, shown, strict=True))


def _type_name(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_integer(t):
        return f"{t.bit_width}-bit integer"
    if pa.types.is_floating(t):
        return "number"
    if pa.types.is_boolean(t):
        return "boolean"
    return str(t)


def _valid_json(values: pa.Array, name: str, rejects: list[Reject]) -> pa.Array:
    """JSON text from a file, with values ``jsonb`` would refuse set NULL and recorded.

    Each value is parsed by orjson (strict RFC 8259, like PostgreSQL: no NaN, no lone
    surrogates); what orjson refuses only for a number beyond a double (PostgreSQL's numeric
    takes it) is parsed again by the standard library. ``\\u0000`` is checked by
    :func:`screen`.
    """
    if len(values) == values.null_count:
        return values
    bad: list[bool] = []
    for text in values.to_pylist():
        if text is None:
            bad.append(False)
            continue
        try:
            orjson.loads(text)
            bad.append(False)
        except orjson.JSONDecodeError:
            bad.append(not _json_ok_for_postgres(text))
    mask = pa.array(bad, pa.bool_())
    if not _any_true(mask):
        return values
    _reject(rejects, name, values, mask, _BAD_JSON)
    return pc.if_else(mask, pa.scalar(None, pa.string()), values)


def _json_ok_for_postgres(text: str) -> bool:
    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        parsed = json.loads(text, parse_constant=refuse)
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")  # lone surrogates fail here
    except (ValueError, RecursionError, UnicodeEncodeError):
        return False
    return True


def screen(values: pa.Array, spec: ColumnSpec, rejects: list[Reject]) -> pa.Array:
    """Set NULL, and record, the values of a parsed column that PostgreSQL's ``COPY`` would refuse.

    Checked, vectorised (a byte search of the data buffer skips clean string columns): NUL
    bytes in any text (PostgreSQL text cannot hold them), ``\\u0000`` in JSON (``jsonb``
    cannot), decimals that are not numbers, timestamps and dates outside years 1 to 9999.
    Integers, floats and booleans are checked by their Arrow types already.

    Args:
        values: the column, of ``spec``'s Arrow type.
        spec: the column.
        rejects: where rejects are recorded (rows within this batch).

    Returns:
        The column with the refused values NULL.
    """
    t = values.type
    masks: list[tuple[pa.Array, str]] = []
    if pa.types.is_string(t):
        if _buffer_has(values, b"\x00"):
            masks.append((pc.match_substring(values, "\x00"), _NUL))
        if spec.is_json and _buffer_has(values, b"\\u0000"):
            masks.append((pc.match_substring_regex(values, _JSON_NUL_ESCAPE), _JSON_NUL))
        if spec.kind == "decimal" and len(values) > values.null_count:
            numeric = pc.and_(
                pc.match_substring_regex(values, _NUMERIC),
                pc.less_equal(pc.binary_length(values), _NUMERIC_MAX_CHARS),
            )
            masks.append((pc.invert(numeric), _NOT_NUMERIC))
    elif pa.types.is_timestamp(t) or pa.types.is_date(t):
        low, high = (_TS_MIN, _TS_MAX) if pa.types.is_timestamp(t) else (_DATE_MIN, _DATE_MAX)
        raw = values.view(pa.int64() if pa.types.is_timestamp(t) else pa.int32())  # no copy
        bounds = pc.min_max(raw).as_py()
        if bounds["min"] is not None and (bounds["min"] < low or bounds["max"] > high):
            masks.append((pc.or_(pc.less(raw, low), pc.greater(raw, high)), _OUT_OF_RANGE))
    if not masks:
        return values
    refused = None
    for mask, reason in masks:
        mask = pc.fill_null(mask, False)
        if refused is not None:
            mask = pc.and_(mask, pc.invert(refused))  # one reject per value
        _reject(rejects, spec.name, values, mask, reason)
        refused = mask if refused is None else pc.or_(refused, mask)
    if refused is None or not _any_true(refused):
        return values
    return pc.if_else(refused, pa.scalar(None, t), values)


# --------------------------------------------------------------------------- column planning


@dataclass(frozen=True)
class _Column:
    """How one file column maps to the output."""

    header: str  # name in the file
    target: str  # output column name ("" for expanded sub-columns)
    spec: ColumnSpec | None
    read_type: pa.DataType
    path: tuple[str, ...] = ()  # sub-property path for expanded object columns


def _plan(
    header: Sequence[str], layout: TableLayout
) -> tuple[list[_Column], dict[str, ColumnSpec]]:
    """Map file columns to outputs. Returns the plan and the expanded objects by output name."""
    by_dotted = layout.by_dotted()
    by_name = {c.name: c for c in layout.columns}
    plan: list[_Column] = []
    expanded: dict[str, ColumnSpec] = {}
    for name in header:
        if name == "meta.ts":
            plan.append(_Column(name, "meta_ts", None, _TS))
        elif name == "meta.action":
            plan.append(_Column(name, "meta_action", None, pa.string()))
        elif name in by_dotted:
            spec = by_dotted[name]
            plan.append(_Column(name, spec.name, spec, spec.arrow_type))
        else:
            part, _, rest = name.partition(".")
            if part not in ("key", "value") or not rest:
                part, rest = "value", name
            top, _, sub = rest.partition(".")
            found = by_name.get(top)
            if sub and found is not None and found.kind == JSON:
                expanded[found.name] = found
                plan.append(_Column(name, "", found, pa.string(), tuple(sub.split("."))))
            elif found is not None and not sub:
                plan.append(_Column(name, found.name, found, found.arrow_type))
            else:
                logger.warning(
                    "%s.%s: column %r is not in schema version %s; loading it as text",
                    layout.namespace,
                    layout.table,
                    name,
                    layout.version,
                )
                plan.append(_Column(name, rest.replace(".", "_"), None, pa.string()))
    return plan, expanded


def _sub_spec(spec: ColumnSpec, path: tuple[str, ...]) -> ColumnSpec | None:
    current: ColumnSpec | None = spec
    for step in path:
        if current is None:
            return None
        current = next((p for p in current.properties if p.name == step), None)
    return current


def _expanded_json(
    spec: ColumnSpec, columns: list[tuple[tuple[str, ...], pa.Array]], length: int
) -> pa.Array:
    """Re-assemble ``value.obj.sub…`` text columns into one JSON object column."""
    groups: dict[str, list[tuple[tuple[str, ...], pa.Array]]] = {}
    for path, values in columns:
        groups.setdefault(path[0], []).append((path[1:], values))
    fields: list[tuple[str, pa.Array]] = []
    for name, members in groups.items():
        sub = _sub_spec(spec, (name,))
        if len(members) == 1 and not members[0][0]:
            fields.append((name, _literal(sub, members[0][1])))
        else:
            nested = sub or ColumnSpec(name, spec.part, JSON)
            fields.append((name, _expanded_json(nested, [m for m in members if m[0]], length)))
    return json_object(fields, length)


_NUMERIC_KINDS = frozenset({"int16", "int32", "int64", "float", "decimal"})


def _literal(spec: ColumnSpec | None, text: pa.Array) -> pa.Array:
    """JSON literal for an expanded sub-column read as text."""
    kind = spec.kind if spec else "text"
    if kind == JSON:
        return text
    if kind in _NUMERIC_KINDS:
        bad = pc.is_in(
            pc.utf8_lower(text), pa.array(["nan", "infinity", "-infinity", "inf", "-inf"])
        )
        return pc.if_else(pc.fill_null(bad, False), pa.scalar(None, pa.string()), text)
    if kind == "bool":
        return text
    return json_quote(text)


def _finish(
    batch: pa.RecordBatch,
    plan: list[_Column],
    expanded: dict[str, ColumnSpec],
    layout: TableLayout,
    unescape: bool,
    rejects: list[Reject],
) -> pa.RecordBatch:
    """Decode, re-assemble and order the parsed columns of one block."""
    columns = {name: batch.column(i) for i, name in enumerate(batch.schema.names)}
    length = batch.num_rows
    out: dict[str, pa.Array] = {}
    subs: dict[str, list[tuple[tuple[str, ...], pa.Array]]] = {}
    for col in plan:
        values = columns[col.header]
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if unescape and pa.types.is_string(values.type):
            decoded, bad = unescape_copy_text_checked(values)
            if bad is not None:
                _reject(rejects, col.target or col.header, values, bad, _NOT_UTF8)
            values = decoded
        if col.path:
            subs.setdefault(col.spec.name if col.spec else "", []).append((col.path, values))
            continue
        out[col.target] = values
    for name, spec in expanded.items():
        out[name] = _expanded_json(spec, subs.get(name, []), length)
    return _assemble(out, layout, length, rejects)


def _assemble(
    out: dict[str, pa.Array], layout: TableLayout, length: int, rejects: list[Reject]
) -> pa.RecordBatch:
    names: list[str] = []
    arrays: list[pa.Array] = []
    for spec in layout.columns:
        if spec.name in out:
            values = out.pop(spec.name)
            if isinstance(values, pa.ChunkedArray):
                values = values.combine_chunks()
            if spec.is_json:
                if pa.types.is_large_string(values.type):
                    values = values.cast(pa.string())
                if pa.types.is_string(values.type):  # JSON text from the file
                    values = _valid_json(fix_oversized_json(values), spec.name, rejects)
                else:
                    values = json_text(values)
            names.append(spec.name)
            values = _cast_lenient(values, spec.arrow_type, spec.name, rejects)
            arrays.append(screen(values, spec, rejects))
    meta_ts = out.pop("meta_ts", None)
    meta_action = out.pop("meta_action", None)
    for name, values in out.items():  # columns the schema does not know: text
        names.append(name)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        text = values if pa.types.is_string(values.type) else json_text(values)
        arrays.append(screen(text, ColumnSpec(name, "value", "text"), rejects))
    names.append("meta_ts")
    if meta_ts is not None:
        meta_ts = _cast(meta_ts, _TS, "meta_ts")
        if screen(meta_ts, ColumnSpec("meta_ts", "meta", "timestamp"), []) is not meta_ts:
            raise ParseError("column meta_ts: a timestamp outside 0001-01-01 .. 9999-12-31")
    arrays.append(meta_ts if meta_ts is not None else pa.nulls(length, _TS))
    names.append("meta_action")
    if meta_action is None:
        arrays.append(pa.repeat(pa.scalar("U"), length))
    else:
        action = pc.fill_null(_cast(meta_action, pa.string(), "meta_action"), "U")
        if screen(action, ColumnSpec("meta_action", "meta", "text"), []) is not action:
            raise ParseError("column meta_action: a NUL byte")
        arrays.append(action)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _cast_lenient(
    values: pa.Array, target: pa.DataType, name: str, rejects: list[Reject]
) -> pa.Array:
    """:func:`_cast`, with the values that do not convert set NULL and recorded as rejects.

    The array is halved until the failing values are found, so a few bad values among many cost
    a few dozen casts; a clean array costs one.
    """
    try:
        return _cast(values, target, name)
    except ParseError:
        pass
    bad: list[int] = []

    def convert(part: pa.Array, offset: int) -> pa.Array:
        try:
            return _cast(part, target, name)
        except ParseError:
            if len(part) == 1:
                bad.append(offset)
                return pa.nulls(1, target)
        mid = len(part) // 2
        return pa.concat_arrays(
            [convert(part.slice(0, mid), offset), convert(part.slice(mid), offset + mid)]
        )

    converted = convert(values, 0)
    mask = pa.array([False] * len(values))
    if bad:
        mask = pc.replace_with_mask(
            mask, pc.is_in(pa.array(range(len(values))), pa.array(bad)), pa.repeat(True, len(bad))
        )
    _reject(rejects, name, values, mask, f"not a valid {_type_name(target)}")
    return converted


def _cast(values: pa.Array, target: pa.DataType, name: str) -> pa.Array:
    if values.type == target:
        return values
    try:
        if pa.types.is_timestamp(target) and pa.types.is_timestamp(values.type):
            if values.type.tz is None:
                values = pc.assume_timezone(values, "UTC")
            return values.cast(target)
        if pa.types.is_string(target) and pa.types.is_decimal(values.type):
            return values.cast(pa.string())
        return values.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ParseError(
            f"column {name}: cannot convert {values.type} to {target}: {exc}"
        ) from None


# --------------------------------------------------------------------------- output encoding


def rebatch(batches: Iterable[pa.RecordBatch], min_rows: int) -> Iterator[pa.Table]:
    """Group consecutive batches into tables of at least ``min_rows`` rows (no copying).

    Parsing works best on small blocks, while each item handed to dlt has a fixed cost, so the
    loader parses small and yields big.

    Args:
        batches: batches, usually of one schema.
        min_rows: rows per output table (the last one may be smaller).

    Yields:
        Tables made of the input batches; a schema change starts a new table.
    """
    group: list[pa.RecordBatch] = []
    rows = 0
    for batch in batches:
        if group and not batch.schema.equals(group[0].schema):
            yield pa.Table.from_batches(group)
            group, rows = [], 0
        group.append(batch)
        rows += batch.num_rows
        if rows >= min_rows:
            yield pa.Table.from_batches(group)
            group, rows = [], 0
    if group:
        yield pa.Table.from_batches(group)


def timestamps_as_text(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Replace timestamp columns by their UTC wall time as text (``2024-01-01 10:00:00.5``).

    The batches go to CSV and PostgreSQL ``COPY``, which reads them in a session whose time zone
    is UTC (:mod:`loader.destination` sets it). pyarrow's CSV writer formats zone-aware timestamps
    through the time zone database value by value (about 20x slower than anything else in the
    load); the naive cast below prints the same UTC wall time at memory speed. A column without
    fractions of a second is printed without them (measured on a 1M-row submissions object:
    0.36 s for the eight timestamp columns, against 0.81 s for trimming ``.000000`` and
    appending ``Z`` to every value).

    Args:
        batch: a parsed batch.

    Returns:
        The batch with every timestamp column as strings (NULL stays NULL).
    """
    columns = list(batch.columns)
    changed = False
    for i, column in enumerate(columns):
        t = column.type
        if pa.types.is_timestamp(t):
            naive = column.cast(pa.timestamp(t.unit)) if t.tz is not None else column
            if t.unit != "s":
                # the safe cast fails when any value has a fraction of a second
                with contextlib.suppress(pa.ArrowInvalid):
                    naive = naive.cast(pa.timestamp("s"))
            columns[i] = naive.cast(pa.string())
            changed = True
    if not changed:
        return batch
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


# --------------------------------------------------------------------------- opening files


def is_gzip(path: Path) -> bool:
    """Whether a file starts with the gzip magic bytes.

    Args:
        path: the file.

    Returns:
        True for gzip.
    """
    with path.open("rb") as f:
        return f.read(2) == _GZIP_MAGIC


def _open_text(path: Path) -> pa.NativeFile:
    raw = pa.OSFile(str(path), "rb")
    if is_gzip(path):
        return pa.CompressedInputStream(raw, "gzip")
    return raw


def _first_line(path: Path) -> tuple[bytes, bool]:
    """The first line of a (possibly gzip-compressed) file, and whether anything follows it."""
    if path.stat().st_size == 0:
        return b"", False
    opener: Any = gzip.open if is_gzip(path) else open
    with opener(path, "rb") as f:
        line: bytes = f.readline(1 << 20)
        more = bool(f.read(1))
    return line.rstrip(b"\r\n"), more


def _is_empty(path: Path, fmt: str) -> bool:
    """Whether a file is empty, or a gzip stream of nothing but white space (no records).

    Raises:
        CorruptObjectError: the gzip stream is damaged before its first non-blank byte.
    """
    if path.stat().st_size == 0:
        return True
    if not is_gzip(path):
        return False
    try:
        with gzip.open(path, "rb") as f:
            while True:
                chunk = f.read(1 << 16)
                if not chunk:
                    return True
                if chunk.strip():
                    return False
    except _STREAM_ERRORS as exc:
        raise CorruptObjectError(f"{fmt} object {path.name}: {exc}") from None


def _header(path: Path, fmt: str) -> tuple[list[str], bool]:
    raw, more = _first_line(path)
    line = raw.decode("utf-8-sig")
    if not line:
        return [], more
    if fmt == "tsv":
        return line.split("\t"), more
    return next(csv.reader(io.StringIO(line))), more


# --------------------------------------------------------------------------- readers


def _read_delimited(
    path: Path, layout: TableLayout, fmt: str, options: ReadOptions, rejects: list[Reject]
) -> Iterator[pa.RecordBatch]:
    try:
        header, more = _header(path, fmt)
    except _STREAM_ERRORS as exc:
        raise CorruptObjectError(f"{fmt} object {path.name}: {exc}") from None
    if not header or not more:  # an empty object, or a header without rows
        return
    if len(set(header)) != len(header):
        raise ParseError(f"duplicate column names in header: {header}")
    plan, expanded = _plan(header, layout)
    done = 0
    try:
        for batch in _delimited_batches(path, header, plan, fmt, options, as_text=False):
            yield _finish(batch, plan, expanded, layout, fmt == "tsv", rejects)
            done += batch.num_rows
    except pa.ArrowInvalid as exc:
        if "conversion error" not in str(exc):
            raise ParseError(f"{fmt} object {path.name}: {exc}") from None
        # a value that does not convert to its column's type: read the rest with every CD2
        # column as text and convert column by column (values that do not convert are rejects)
        logger.debug("%s object %s: %s; reading it as text", fmt, path.name, exc)
        try:
            skip = done
            for batch in _delimited_batches(path, header, plan, fmt, options, as_text=True):
                if skip >= batch.num_rows:
                    skip -= batch.num_rows
                    continue
                batch, skip = batch.slice(skip), 0
                yield _finish(batch, plan, expanded, layout, fmt == "tsv", rejects)
        except pa.ArrowInvalid as again:
            raise ParseError(f"{fmt} object {path.name}: {again}") from None
        except _STREAM_ERRORS as again:
            raise CorruptObjectError(f"{fmt} object {path.name}: {again}") from None
    except _STREAM_ERRORS as exc:
        raise CorruptObjectError(f"{fmt} object {path.name}: {exc}") from None


def _delimited_batches(
    path: Path,
    header: list[str],
    plan: list[_Column],
    fmt: str,
    options: ReadOptions,
    as_text: bool,
) -> Iterator[pa.RecordBatch]:
    column_types = {
        c.header: pa.string() if as_text and c.spec is not None else c.read_type for c in plan
    }
    if fmt == "tsv":
        parse = pcsv.ParseOptions(
            delimiter="\t", quote_char=False, double_quote=False, escape_char=False
        )
        convert = pcsv.ConvertOptions(
            column_types=column_types,
            null_values=["\\N"],
            strings_can_be_null=True,
            true_values=["true"],
            false_values=["false"],
        )
    else:
        parse = pcsv.ParseOptions(
            delimiter=",",
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=True,
        )
        convert = pcsv.ConvertOptions(
            column_types=column_types,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["true"],
            false_values=["false"],
        )
    read = pcsv.ReadOptions(
        column_names=header,
        skip_rows=1,
        block_size=options.block_size,
        use_threads=options.use_threads,
    )
    with _open_text(path) as stream:
        reader = pcsv.open_csv(
            stream, read_options=read, parse_options=parse, convert_options=convert
        )
        for batch in reader:
            if batch.num_rows:
                yield batch


def _json_type(spec: ColumnSpec) -> pa.DataType | None:
    """The Arrow type the JSON reader should produce for a column, or None to let it infer."""
    if spec.kind == JSON:
        schema = spec.schema
        if spec.properties:
            fields = [(p.name, _json_type(p)) for p in spec.properties]
            if all(t is not None for _, t in fields):
                return pa.struct([pa.field(n, t) for n, t in fields if t is not None])
            return None
        items = schema.get("items") if isinstance(schema, dict) else None
        if schema.get("type") == "array" and isinstance(items, dict):
            item_type = _json_type(ColumnSpec("item", spec.part, _kind_of(items), schema=items))
            return pa.list_(item_type) if item_type is not None else None
        return None
    if spec.kind == "decimal":
        scale = _decimal_scale(spec.schema)
        return pa.decimal128(38, scale)
    if spec.kind == "date":
        return pa.string()  # the JSON reader does not parse dates; cast afterwards
    return spec.arrow_type


def _kind_of(prop: dict[str, Any]) -> str:
    from loader.schema import column_kind

    return column_kind(prop)


def _decimal_scale(prop: Any) -> int:
    step = prop.get("multipleOf") if isinstance(prop, dict) else None
    if isinstance(step, int | float) and 0 < step < 1:
        text = f"{step:.12f}".rstrip("0")
        return max(0, len(text.split(".")[1]) if "." in text else 0)
    return 0 if isinstance(step, int) else 9


def _read_jsonl(
    path: Path, layout: TableLayout, options: ReadOptions, rejects: list[Reject]
) -> Iterator[pa.RecordBatch]:
    if _is_empty(path, "jsonl"):
        return

    def struct_of(specs: Sequence[ColumnSpec]) -> pa.DataType:
        fields = []
        for spec in specs:
            t = _json_type(spec)
            if t is not None:
                fields.append(pa.field(spec.name, t))
        return pa.struct(fields)

    schema = pa.schema(
        [
            ("meta", pa.struct([("ts", _TS), ("action", pa.string())])),
            ("key", struct_of(layout.keys)),
            ("value", struct_of(layout.values)),
        ]
    )
    parse = pjson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
    read = pjson.ReadOptions(block_size=options.block_size, use_threads=options.use_threads)
    done = 0
    try:
        with _open_text(path) as stream:
            reader = pjson.open_json(stream, read_options=read, parse_options=parse)
            for batch in reader:
                if batch.num_rows:
                    yield _flatten_nested(batch, layout, rejects)
                    done += batch.num_rows
    except pa.ArrowInvalid as exc:
        # a value that does not convert to its column's type (or malformed JSON, which the
        # exact reader reports by line): read the rest value by value
        logger.debug("jsonl object %s: %s; reading it value by value", path.name, exc)
        yield from _read_jsonl_slowly(path, layout, options, rejects, skip=done)
    except _STREAM_ERRORS as exc:
        raise CorruptObjectError(f"jsonl object {path.name}: {exc}") from None


def _read_jsonl_slowly(
    path: Path, layout: TableLayout, options: ReadOptions, rejects: list[Reject], skip: int
) -> Iterator[pa.RecordBatch]:
    """JSON Lines parsed by the standard library, every value as text, then converted column by
    column (values that do not convert are rejects). The exact path for objects that hold a
    value the typed reader refuses; ``skip`` rows were already read."""
    columns = [("meta_ts", "meta", "ts"), ("meta_action", "meta", "action")]
    columns += [(spec.name, spec.part, spec.name) for spec in layout.columns]
    json_columns = {spec.name for spec in layout.columns if spec.is_json}

    def text(name: str, value: Any) -> str | None:
        if value is None:
            return None
        if name in json_columns or isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, default=float)
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)

    def batch_of(rows: list[dict[str, Any]]) -> pa.RecordBatch:
        out: dict[str, pa.Array] = {}
        for name, part, field_name in columns:
            cells = [text(name, (row.get(part) or {}).get(field_name)) for row in rows]
            if name == "meta_action" and all(c is None for c in cells):
                continue
            out[name] = pa.array(cells, pa.string())
        return _assemble(out, layout, len(rows), rejects)

    rows: list[dict[str, Any]] = []
    seen = 0
    try:
        with open_binary(path) as f:
            for line in f:
                if not line.strip():
                    continue
                seen += 1
                if seen <= skip:
                    continue
                try:
                    record = json.loads(line, parse_float=Decimal)
                except ValueError as exc:
                    raise ParseError(f"jsonl object {path.name}: line {seen}: {exc}") from None
                if not isinstance(record, dict):
                    raise ParseError(f"jsonl object {path.name}: line {seen}: not an object")
                rows.append(record)
                if len(rows) >= options.batch_rows:
                    yield batch_of(rows)
                    rows = []
    except _STREAM_ERRORS as exc:
        raise CorruptObjectError(f"jsonl object {path.name}: {exc}") from None
    if rows:
        yield batch_of(rows)


def _flatten_nested(
    batch: pa.RecordBatch, layout: TableLayout, rejects: list[Reject]
) -> pa.RecordBatch:
    """meta/key/value structs (JSONL, nested Parquet) → output columns."""
    out: dict[str, pa.Array] = {}
    n = batch.num_rows
    names = batch.schema.names
    for part in ("key", "value"):
        if part not in names:
            continue
        struct = batch.column(names.index(part))
        for i, f in enumerate(struct.type):
            out[f.name] = pc.struct_field(struct, [i])
    if "meta" in names:
        meta = batch.column(names.index("meta"))
        for i, f in enumerate(meta.type):
            if f.name in ("ts", "action"):
                out[f"meta_{f.name}"] = pc.struct_field(meta, [i])
    for name in names:  # flat dotted columns next to the structs, if any
        if name not in ("meta", "key", "value"):
            out.setdefault(name, batch.column(names.index(name)))
    return _assemble(out, layout, n, rejects)


def _read_parquet(
    path: Path, layout: TableLayout, options: ReadOptions, rejects: list[Reject]
) -> Iterator[pa.RecordBatch]:
    if _is_empty(path, "parquet"):
        return
    source = path
    if is_gzip(path):
        source = path.with_suffix(path.suffix + ".raw")
        try:
            with gzip.open(path, "rb") as src, source.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except _STREAM_ERRORS as exc:
            source.unlink(missing_ok=True)
            raise CorruptObjectError(f"parquet object {path.name}: {exc}") from None
    try:
        parquet = pq.ParquetFile(str(source))
        names = parquet.schema_arrow.names
        nested = any(n in ("meta", "key", "value") for n in names)
        for batch in parquet.iter_batches(
            batch_size=options.batch_rows, use_threads=options.use_threads
        ):
            if not batch.num_rows:
                continue
            if nested:
                yield _flatten_nested(batch, layout, rejects)
                continue
            plan, expanded = _plan(batch.schema.names, layout)
            cols: dict[str, pa.Array] = {}
            subs: dict[str, list[tuple[tuple[str, ...], pa.Array]]] = {}
            for col in plan:
                values = batch.column(batch.schema.names.index(col.header))
                if col.path:
                    text = values if pa.types.is_string(values.type) else json_text(values)
                    subs.setdefault(col.spec.name if col.spec else "", []).append((col.path, text))
                else:
                    cols[col.target] = values
            for name, spec in expanded.items():
                cols[name] = _expanded_json(spec, subs.get(name, []), batch.num_rows)
            yield _assemble(cols, layout, batch.num_rows, rejects)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ParseError(f"parquet object {path.name}: {exc}") from None
    finally:
        if source != path:
            source.unlink(missing_ok=True)


def read_object(
    path: Path | str,
    fmt: str,
    layout: TableLayout,
    options: ReadOptions | None = None,
    rejects: list[Reject] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Stream one downloaded DAP object as Arrow record batches.

    An empty object (zero bytes, an empty gzip stream, a header without rows) yields nothing.

    Values of value columns that PostgreSQL would refuse, or that do not convert to their
    column's type, are set NULL and recorded in ``rejects`` (:class:`Reject`; see
    :func:`screen`). Without ``rejects``, or in a key column, such a value is a ParseError.

    Args:
        path: the local file (gzip-compressed or not; detected from its first bytes).
        fmt: ``tsv``, ``csv``, ``jsonl`` or ``parquet``.
        layout: the table's layout (from its schema).
        options: reader tuning.
        rejects: where rejected values go (rows within the object), with their row's key.

    Yields:
        Batches with the table's CD2 columns (those present in the file, typed), unknown extra
        columns as text, then ``meta_ts`` and ``meta_action``.

    Raises:
        ParseError: the file is malformed, or holds a value it may not reject (see above).
        CorruptObjectError: its compressed stream is truncated or corrupt (a ParseError).
        ValueError: unknown format.
    """
    path = Path(path)
    options = options or ReadOptions()
    found: list[Reject] = []
    if fmt in ("tsv", "csv"):
        batches = _read_delimited(path, layout, fmt, options, found)
    elif fmt == "jsonl":
        batches = _read_jsonl(path, layout, options, found)
    elif fmt == "parquet":
        batches = _read_parquet(path, layout, options, found)
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    keys = [spec.name for spec in layout.keys]
    row = 0
    for batch in batches:
        if found:
            _place(found, batch, keys, row, path.name, fmt, rejects)
            found.clear()
        yield batch
        row += batch.num_rows


def _place(
    found: list[Reject],
    batch: pa.RecordBatch,
    keys: list[str],
    first_row: int,
    name: str,
    fmt: str,
    rejects: list[Reject] | None,
) -> None:
    """Number a batch's rejects within the object, add their keys, or raise for a fatal one."""
    for item in found:
        if item.column in keys or rejects is None:
            raise ParseError(
                f"{fmt} object {name}: row {first_row + item.row + 1}, column {item.column}: "
                f"{item.reason}: {item.value!r}"
            )
    if rejects is None:
        return
    present = [k for k in keys if k in batch.schema.names]
    for item in found:
        key = {k: batch.column(k)[item.row].as_py() for k in present}
        text = json.dumps(key, default=str, ensure_ascii=False)
        rejects.append(Reject(item.column, first_row + item.row, item.value, item.reason, text))


def open_binary(path: Path) -> BinaryIO:
    """Open a possibly gzip-compressed file for reading bytes.

    Args:
        path: the file.

    Returns:
        A binary file object yielding the decompressed bytes.
    """
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")
