"""Arrow record batches to DAP object files: TSV, CSV, JSON Lines and Parquet.

Pure functions over the flat batches of :func:`emulator.schema.arrow_schema` (``meta.ts``,
``meta.action`` in incremental batches only, ``key.<pk>``, ``value.<col>``; nested objects as Arrow
structs, arrays as Arrow lists). Every conversion is vectorised with ``pyarrow.compute``; nothing
loops over rows in Python except the rare string that holds an ASCII control character other
than TAB, LF, CR, BS and FF (those few values are JSON-escaped one by one).

Text layouts (dap-protocol.md section 3):

* **TSV**: header of dotted names, TAB-separated, ``\\n``-terminated rows, PostgreSQL ``COPY``
  text escapes (``\\\\``, ``\\t``, ``\\n``, ``\\r``, ``\\b``, ``\\f``, ``\\v``), NULL as ``\\N``,
  booleans ``true``/``false``, timestamps ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (the fraction only
  when it is not zero), dates ``YYYY-MM-DD``, decimals with their scale. A snapshot has no
  ``meta.action`` column because snapshot batches have none.
* **CSV**: RFC 4180 with the same header and value text; a field is quoted (``"`` doubled) when
  it holds ``,``, ``"``, CR or LF, or is the empty string; NULL is an empty unquoted field, the
  empty string is ``""``; rows end with ``\\n`` (as Spark writes them), not CRLF.
* **JSON Lines**: ``{"meta":{...},"key":{...},"value":{...}}`` per line, null properties left
  out, deletes (``meta.action == "D"``) without ``value``. ``mode`` has no effect.
* ``mode=condensed`` (TSV/CSV): a nested object is one JSON text column with its null
  sub-properties left out, NULL when every sub-value is null. ``mode=expanded``: one column per
  sub-property, ``value.<col>.<sub>``. Arrays are always JSON text.

Parquet layout (the DAP documentation is silent; our choice): three struct columns ``meta``,
``key`` and ``value`` that mirror the logical record, with the CD2 names inside; nested objects
stay structs, arrays stay lists, timestamps are ``timestamp[us, UTC]``, decimals ``decimal128``.
``value`` is null for deletes. Snappy-compressed pages, one row group per record batch, and the
file is served as a plain ``.parquet`` object (not gzipped). ``mode`` has no effect.
"""

from __future__ import annotations

import contextlib
import json
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

FORMATS: tuple[str, ...] = ("tsv", "csv", "jsonl", "parquet")
MODES: tuple[str, ...] = ("expanded", "condensed")
SUFFIXES: dict[str, str] = {
    "tsv": ".tsv.gz",
    "csv": ".csv.gz",
    "jsonl": ".json.gz",
    "parquet": ".parquet",
}
DEFAULT_GZIP_LEVEL = 1

_NULL_STR = pa.scalar(None, pa.string())
# ASCII control characters JSON needs escaped that have no short escape (\b \f \n \r \t).
_RARE_CONTROLS = "[\\x00-\\x07\\x0b\\x0e-\\x1f]"
_TSV_SPECIAL = "[\\\\\\t\\n\\r\\x08\\x0b\\x0c]"
_CSV_SPECIAL = '[",\\r\\n]'
_JSON_SPECIAL = '[\\\\"\\x00-\\x1f]'
_TSV_BYTES = b"\\\t\n\r\x08\x0b\x0c"
_CSV_BYTES = b'",\r\n'
_JSON_BYTES = b'\\"' + bytes(range(0x20))


# --------------------------------------------------------------------------- scalar text


def _str(arr: pa.Array) -> pa.Array:
    """Any string-like array as ``string`` (large strings and dictionaries decoded)."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return arr


def timestamp_text(arr: pa.Array) -> pa.Array:
    """Timestamps as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (UTC; the fraction only when non-zero).

    Args:
        arr: a timestamp array (any unit; naive values are taken as UTC).

    Returns:
        A string array, null where ``arr`` is null.
    """
    # Casting a tz-aware timestamp to string consults the time zone database for every value
    # (50x slower); the naive cast prints the same UTC wall time.
    naive = pc.cast(arr, pa.timestamp("us", tz=None))
    text = pc.cast(naive, pa.string())  # "2026-10-01 00:00:01.500000", fixed width
    text = pc.binary_replace_slice(text, 10, 11, "T")
    whole = pc.equal(pc.remainder(pc.cast(naive, pa.int64()), 1_000_000), 0)
    n_whole = pc.sum(whole).as_py() or 0
    if n_whole == len(arr) - arr.null_count:
        return pc.binary_replace_slice(text, 19, 26, "Z")
    with_fraction = pc.binary_replace_slice(text, 26, 26, "Z")
    if n_whole == 0:
        return with_fraction
    return pc.if_else(whole, pc.binary_replace_slice(text, 19, 26, "Z"), with_fraction)


def _maybe_has(arr: pa.Array, chars: bytes) -> bool:
    """Cheap pre-check: whether the data buffer of a string array holds any of ``chars``.

    It may answer True for bytes outside the array's slice, never False for bytes inside it.
    """
    if len(arr) == 0 or arr.null_count == len(arr):
        return False
    data = arr.buffers()[2]
    if data is None:
        return False
    raw = data.to_pybytes()
    return any(bytes([c]) in raw for c in chars)


def _escape_where(arr: pa.Array, pattern: str, chars: bytes, fn: Any) -> pa.Array:
    """Apply the escaping function ``fn`` to the values that match ``pattern`` only.

    Most values need no escaping, so the replacements run on the few that do and are put back
    with ``replace_with_mask``; a memchr pre-check skips the regex for clean columns.
    """
    if not _maybe_has(arr, chars):
        return arr
    mask = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    hits = pc.sum(mask).as_py() or 0
    if hits == 0:
        return arr
    if hits == len(arr):
        return fn(arr)
    return pc.replace_with_mask(arr, mask, fn(pc.filter(arr, mask)))


def _json_escape_all(arr: pa.Array) -> pa.Array:
    arr = pc.replace_substring(arr, "\\", "\\\\")
    arr = pc.replace_substring(arr, '"', '\\"')
    arr = pc.replace_substring(arr, "\n", "\\n")
    arr = pc.replace_substring(arr, "\r", "\\r")
    arr = pc.replace_substring(arr, "\t", "\\t")
    arr = pc.replace_substring(arr, "\x08", "\\b")
    arr = pc.replace_substring(arr, "\x0c", "\\f")
    rare = pc.fill_null(pc.match_substring_regex(arr, _RARE_CONTROLS), False)
    if pc.any(rare).as_py():
        values = pc.filter(arr, rare).to_pylist()
        fixed = ["".join(c if ord(c) >= 0x20 else f"\\u{ord(c):04x}" for c in v) for v in values]
        arr = pc.replace_with_mask(arr, rare, pa.array(fixed, pa.string()))
    return arr


def json_string(arr: pa.Array) -> pa.Array:
    """Strings as JSON string literals (quoted and escaped, UTF-8 kept as is); null stays null."""
    arr = _escape_where(_str(arr), _JSON_SPECIAL, _JSON_BYTES, _json_escape_all)
    return pc.binary_join_element_wise('"', arr, '"', "")


def _rebuild_list(lst: pa.Array, values: pa.Array) -> pa.Array:
    """A list array with the same shape and validity as ``lst`` but new (flattened) values."""
    lengths = pc.fill_null(pc.list_value_length(lst), 0)
    offsets = pa.concat_arrays(
        [pa.array([0], pa.int32()), pc.cast(pc.cumulative_sum(lengths), pa.int32())]
    )
    mask = lst.is_null() if lst.null_count else None
    return pa.ListArray.from_arrays(offsets, values, mask=mask)


def json_text(arr: pa.Array) -> pa.Array:
    """Each value as JSON text; null stays null.

    Nested objects leave out their null properties and are null when every property is null
    (the condensed form). NaN and infinities, which JSON cannot express, become null.

    Args:
        arr: any array of the types the generator produces.

    Returns:
        A string array.
    """
    t = arr.type
    if pa.types.is_struct(t):
        return _json_object(
            [(t.field(i).name, json_text(pc.struct_field(arr, [i]))) for i in range(t.num_fields)]
        )
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        items = pc.fill_null(json_text(pc.list_flatten(arr)), "null")
        joined = pc.binary_join(_rebuild_list(arr, items), ",")
        return pc.binary_join_element_wise("[", joined, "]", "")
    if pa.types.is_timestamp(t):
        return pc.binary_join_element_wise('"', timestamp_text(arr), '"', "")
    if pa.types.is_date(t):
        return pc.binary_join_element_wise('"', pc.cast(arr, pa.string()), '"', "")
    if pa.types.is_floating(t):
        text = pc.cast(arr, pa.string())
        return pc.if_else(pc.is_finite(arr), text, _NULL_STR)
    if pa.types.is_integer(t) or pa.types.is_boolean(t) or pa.types.is_decimal(t):
        return pc.cast(arr, pa.string())
    if pa.types.is_null(t):
        return pa.nulls(len(arr), pa.string())
    return json_string(arr)


def _json_object(members: list[tuple[str, pa.Array]]) -> pa.Array:
    """``{"name":value,...}`` from per-member JSON text; null members left out; null when empty."""
    if not members:
        raise ValueError("an object needs at least one member")
    pieces = [
        pc.binary_join_element_wise(f",{json.dumps(name)}:", text, "") for name, text in members
    ]
    # binary_join_element_wise(null_handling="skip") drops all-null rows in pyarrow 26, so join
    # with null_handling="replace" and a leading comma per member instead.
    joined = pc.binary_join_element_wise(*pieces, "", null_handling="replace", null_replacement="")
    braced = pc.binary_join_element_wise(pc.utf8_replace_slice(joined, 0, 1, "{"), "}", "")
    return pc.if_else(pc.greater(pc.binary_length(joined), 0), braced, _NULL_STR)


def plain_text(arr: pa.Array) -> pa.Array:
    """The unescaped TSV/CSV text of a column: strings as is, nested objects and arrays as JSON.

    Args:
        arr: any array of the types the generator produces.

    Returns:
        A string array, null where the value is null (and where a nested object is all null).
    """
    t = arr.type
    if pa.types.is_struct(t) or pa.types.is_list(t) or pa.types.is_large_list(t):
        return json_text(arr)
    if pa.types.is_timestamp(t):
        return timestamp_text(arr)
    return _str(arr)


def _tsv_escape_all(arr: pa.Array) -> pa.Array:
    arr = pc.replace_substring(arr, "\\", "\\\\")
    arr = pc.replace_substring(arr, "\t", "\\t")
    arr = pc.replace_substring(arr, "\n", "\\n")
    arr = pc.replace_substring(arr, "\r", "\\r")
    arr = pc.replace_substring(arr, "\x08", "\\b")
    arr = pc.replace_substring(arr, "\x0b", "\\v")
    return pc.replace_substring(arr, "\x0c", "\\f")


TSV_ESCAPES: tuple[str, ...] = ("short", "octal", "hex")
_OTHER_ESCAPED = "\"'"  # written as \" and \' in octal and hex styles: "any other character"


def _byte_escape(value: str, style: str) -> str:
    out = []
    for ch in value:
        if ch in _OTHER_ESCAPED:
            out.append("\\" + ch)
        elif ch == "\\" or ch in "\t\n\r\b\v\f" or ord(ch) > 0x7F:
            for b in ch.encode("utf-8"):
                out.append(f"\\{b:03o}" if style == "octal" else f"\\x{b:02x}")
        else:
            out.append(ch)
    return "".join(out)


def tsv_escape(arr: pa.Array, style: str = "short") -> pa.Array:
    """PostgreSQL ``COPY`` text escapes for backslash, TAB, LF, CR, BS, VT and FF.

    Args:
        arr: strings.
        style: ``short`` (``\\\\ \\t \\n \\r \\b \\v \\f``, what DAP writes), or
            ``octal`` / ``hex``: those characters and every non-ASCII character as octal
            (``\\011``) or hex (``\\x09``) byte escapes, and ``"`` / ``'`` as ``\\"`` / ``\\'``
            (COPY's "any other character" rule); every escape COPY text defines, value by value.
    """
    if style == "short":
        return _escape_where(arr, _TSV_SPECIAL, _TSV_BYTES, _tsv_escape_all)
    if style not in TSV_ESCAPES:
        raise ValueError(f"unknown TSV escape style {style!r}; expected {', '.join(TSV_ESCAPES)}")
    values = arr.to_pylist()
    return pa.array([None if v is None else _byte_escape(v, style) for v in values], pa.string())


def _csv_quote_all(arr: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")


def csv_quote(arr: pa.Array) -> pa.Array:
    """RFC 4180 quoting: values with ``,``, ``"``, CR or LF, and empty strings, are quoted."""
    arr = _escape_where(arr, _CSV_SPECIAL, _CSV_BYTES, _csv_quote_all)
    empty = pc.equal(pc.binary_length(arr), 0)
    if pc.any(empty).as_py():
        arr = pc.if_else(empty, '""', arr)
    return arr


# --------------------------------------------------------------------------- columns


def _is_nested(t: pa.DataType) -> bool:
    return pa.types.is_struct(t) or pa.types.is_list(t) or pa.types.is_large_list(t)


def output_columns(schema: pa.Schema, mode: str) -> list[tuple[str, int, int | None]]:
    """The TSV/CSV columns of a batch schema: ``(header name, batch column, struct child)``.

    In expanded mode a struct column ``value.x`` becomes ``value.x.<sub>`` columns, one per
    sub-field (``child`` is its index); otherwise ``child`` is None.
    """
    check_mode(mode)
    out: list[tuple[str, int, int | None]] = []
    for i, f in enumerate(schema):
        if mode == "expanded" and pa.types.is_struct(f.type):
            for j in range(f.type.num_fields):
                out.append((f"{f.name}.{f.type.field(j).name}", i, j))
        else:
            out.append((f.name, i, None))
    return out


def check_format(fmt: str) -> None:
    """Raise ValueError unless ``fmt`` is a DAP format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def check_mode(mode: str) -> None:
    """Raise ValueError unless ``mode`` is a DAP mode."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")


def header(schema: pa.Schema, fmt: str, mode: str) -> bytes:
    """The header line of a TSV or CSV object (empty for JSON Lines and Parquet).

    Args:
        schema: the batch schema (flat dotted names).
        fmt: ``tsv``, ``csv``, ``jsonl`` or ``parquet``.
        mode: ``expanded`` or ``condensed``.
    """
    check_format(fmt)
    names = [name for name, _, _ in output_columns(schema, mode)]
    if fmt == "tsv":
        return ("\t".join(names) + "\n").encode()
    if fmt == "csv":
        return (",".join(names) + "\n").encode()
    return b""


def _joined_bytes(arr: pa.Array) -> bytes:
    """The concatenated values of a string array without nulls (one copy)."""
    if len(arr) == 0:
        return b""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.null_count:
        raise ValueError("cannot join an array with nulls")
    _, offsets, data = arr.buffers()
    (start,) = struct.unpack_from("<i", offsets, 4 * arr.offset)
    (end,) = struct.unpack_from("<i", offsets, 4 * (arr.offset + len(arr)))
    return data.slice(start, end - start).to_pybytes()


def _lines(columns: list[pa.Array], sep: str) -> bytes:
    if not columns:
        return b""
    last = pc.binary_join_element_wise(columns[-1], "\n", "")
    lines = pc.binary_join_element_wise(*columns[:-1], last, sep) if len(columns) > 1 else last
    return _joined_bytes(lines)


def _field_array(batch: pa.RecordBatch, col: int, child: int | None) -> pa.Array:
    arr = batch.column(col)
    return arr if child is None else pc.struct_field(arr, [child])


def encode_tsv(batch: pa.RecordBatch, mode: str, escapes: str = "short") -> bytes:
    """TSV rows (no header) of a batch (``escapes``: see :func:`tsv_escape`)."""
    cols = []
    for _, i, j in output_columns(batch.schema, mode):
        arr = _field_array(batch, i, j)
        text = plain_text(arr)
        if pa.types.is_string(arr.type) or _is_nested(arr.type):
            text = tsv_escape(text, escapes)
        cols.append(pc.fill_null(text, "\\N"))
    return _lines(cols, "\t")


def encode_csv(batch: pa.RecordBatch, mode: str) -> bytes:
    """CSV rows (no header) of a batch."""
    cols = []
    for _, i, j in output_columns(batch.schema, mode):
        arr = _field_array(batch, i, j)
        text = plain_text(arr)
        if pa.types.is_string(arr.type) or _is_nested(arr.type):
            text = csv_quote(text)
        cols.append(pc.fill_null(text, ""))
    return _lines(cols, ",")


def _group(batch: pa.RecordBatch, prefix: str) -> list[tuple[str, pa.Array]]:
    return [
        (f.name[len(prefix) :], batch.column(i))
        for i, f in enumerate(batch.schema)
        if f.name.startswith(prefix)
    ]


def encode_jsonl(batch: pa.RecordBatch) -> bytes:
    """JSON Lines rows of a batch: nested ``meta``/``key``/``value``, nulls left out."""
    n = batch.num_rows
    if n == 0:
        return b""
    meta = _json_object([(k, json_text(a)) for k, a in _group(batch, "meta.")])
    key = _json_object([(k, json_text(a)) for k, a in _group(batch, "key.")])
    values = _group(batch, "value.")
    parts = [pc.binary_join_element_wise('{"meta":', meta, ',"key":', key, "")]
    if values:
        inner = _json_object([(k, json_text(a)) for k, a in values])
        value = pc.binary_join_element_wise(',"value":', pc.fill_null(inner, "{}"), "")
        action_idx = batch.schema.get_field_index("meta.action")
        if action_idx >= 0:
            deleted = pc.fill_null(pc.equal(batch.column(action_idx), "D"), False)
            value = pc.if_else(deleted, "", value)
        parts.append(value)
    parts.append(pa.scalar("}\n"))
    return _joined_bytes(pc.binary_join_element_wise(*parts, ""))


def encode_text(batch: pa.RecordBatch, fmt: str, mode: str, escapes: str = "short") -> bytes:
    """The rows of a batch in a text format (``tsv``, ``csv`` or ``jsonl``), without header.

    ``escapes`` is the TSV escape style (:func:`tsv_escape`).

    Raises:
        ValueError: unknown format or mode, or ``parquet``.
    """
    check_mode(mode)
    if fmt == "tsv":
        return encode_tsv(batch, mode, escapes)
    if fmt == "csv":
        return encode_csv(batch, mode)
    if fmt == "jsonl":
        return encode_jsonl(batch)
    check_format(fmt)
    raise ValueError("parquet is not a text format")


# --------------------------------------------------------------------------- parquet


def parquet_schema(schema: pa.Schema) -> pa.Schema:
    """The nested Parquet schema (``meta``, ``key``, ``value`` structs) for a flat batch schema."""
    groups: dict[str, list[pa.Field]] = {"meta": [], "key": [], "value": []}
    for f in schema:
        group, _, name = f.name.partition(".")
        groups[group].append(pa.field(name, f.type, f.nullable))
    fields = [
        pa.field("meta", pa.struct(groups["meta"]), nullable=False),
        pa.field("key", pa.struct(groups["key"]), nullable=False),
    ]
    if groups["value"]:
        fields.append(pa.field("value", pa.struct(groups["value"])))
    return pa.schema(fields)


def to_parquet_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A flat batch re-shaped to :func:`parquet_schema`; ``value`` is null for deletes."""
    target = parquet_schema(batch.schema)
    arrays = []
    for field in target:
        prefix = field.name + "."
        children = [
            batch.column(i) for i, f in enumerate(batch.schema) if f.name.startswith(prefix)
        ]
        mask = None
        if field.name == "value":
            idx = batch.schema.get_field_index("meta.action")
            if idx >= 0:
                mask = pc.fill_null(pc.equal(batch.column(idx), "D"), False)
        arrays.append(
            pa.StructArray.from_arrays(children, fields=list(field.type), mask=mask)
            if children
            else pa.nulls(batch.num_rows, field.type)
        )
    return pa.RecordBatch.from_arrays(arrays, schema=target)


# --------------------------------------------------------------------------- writers


# A gzip member header: magic, deflate, no flags, mtime 0, no extra flags, OS "unknown". Fixed
# bytes, so equal input gives equal files.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_FINAL_EMPTY_BLOCK = b"\x03\x00"


def deflate_chunk(data: bytes, level: int = DEFAULT_GZIP_LEVEL) -> bytes:
    """Raw-deflate ``data`` as a self-contained, byte-aligned, non-final piece of a stream.

    Pieces compressed independently (in parallel) and concatenated, followed by an empty final
    block, form one valid deflate stream (the technique of ``pigz --independent``).
    """
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)


class GzipStream:
    """One single-member gzip stream assembled from :func:`deflate_chunk` pieces.

    Args:
        fileobj: binary file to write to (left open).
        level: zlib level for :meth:`write`.
    """

    def __init__(self, fileobj: IO[bytes], level: int = DEFAULT_GZIP_LEVEL) -> None:
        self._file = fileobj
        self._level = level
        self._crc = 0
        self._size = 0
        self._file.write(GZIP_HEADER)

    def write(self, data: bytes) -> None:
        """Compress and append ``data``."""
        if data:
            self.write_chunk(data, deflate_chunk(data, self._level))

    def write_chunk(self, data: bytes, deflated: bytes) -> None:
        """Append ``data`` already compressed by :func:`deflate_chunk` as ``deflated``."""
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        self._file.write(deflated)

    def finish(self) -> None:
        """Write the final block and the gzip trailer (CRC-32, size mod 2**32)."""
        self._file.write(_FINAL_EMPTY_BLOCK)
        self._file.write(struct.pack("<II", self._crc, self._size & 0xFFFFFFFF))


class ObjectWriter:
    """Writes one DAP object file (gzipped text or plain Parquet) batch by batch.

    Args:
        path: file to create.
        schema: flat batch schema.
        fmt: ``tsv``, ``csv``, ``jsonl`` or ``parquet``.
        mode: ``expanded`` or ``condensed``.
        level: gzip level for the text formats.
    """

    def __init__(
        self,
        path: Path,
        schema: pa.Schema,
        fmt: str,
        mode: str = "expanded",
        level: int = DEFAULT_GZIP_LEVEL,
    ) -> None:
        check_format(fmt)
        check_mode(mode)
        self.path = path
        self.schema = schema
        self.fmt = fmt
        self.mode = mode
        self.rows = 0
        self._parquet: pq.ParquetWriter | None = None
        self._file: IO[bytes] | None = None
        self._gzip: GzipStream | None = None
        if fmt == "parquet":
            self._parquet = pq.ParquetWriter(
                str(path), parquet_schema(schema), compression="snappy"
            )
        else:
            self._file = open(path, "wb")  # noqa: SIM115 - closed in close()
            self._gzip = GzipStream(self._file, level)
            self._gzip.write(header(schema, fmt, mode))

    def write(self, batch: pa.RecordBatch) -> None:
        """Append the rows of ``batch`` (must have the writer's schema)."""
        if batch.num_rows == 0:
            return
        if self._parquet is not None:
            self._parquet.write_batch(to_parquet_batch(batch))
        else:
            assert self._gzip is not None
            self._gzip.write(encode_text(batch, self.fmt, self.mode))
        self.rows += batch.num_rows

    def write_encoded(
        self, data: bytes | pa.RecordBatch, rows: int, deflated: bytes | None = None
    ) -> None:
        """Append rows already converted: text from :func:`encode_text` (and, optionally, its
        :func:`deflate_chunk`), or for Parquet a batch from :func:`to_parquet_batch`."""
        if self._parquet is not None:
            assert isinstance(data, pa.RecordBatch)
            self._parquet.write_batch(data)
        else:
            assert self._gzip is not None and isinstance(data, bytes)
            if deflated is None:
                self._gzip.write(data)
            else:
                self._gzip.write_chunk(data, deflated)
        self.rows += rows

    def close(self) -> int:
        """Finish the file.

        Returns:
            The number of rows written.
        """
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._gzip is not None and self._file is not None:
            self._gzip.finish()
            self._file.close()
            self._gzip = None
            self._file = None
        return self.rows

    def abort(self) -> None:
        """Close without caring about the content and remove the file."""
        with contextlib.suppress(Exception):
            self.close()
        self.path.unlink(missing_ok=True)


def write_object(
    path: Path,
    schema: pa.Schema,
    batches: Iterable[pa.RecordBatch],
    fmt: str,
    mode: str = "expanded",
    level: int = DEFAULT_GZIP_LEVEL,
) -> int:
    """Write all ``batches`` into one object file.

    Returns:
        The number of rows written.
    """
    writer = ObjectWriter(path, schema, fmt, mode, level)
    try:
        for batch in batches:
            writer.write(batch)
    except BaseException:
        writer.abort()
        raise
    return writer.close()


# --------------------------------------------------------------------------- ground truth


def truth_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A snapshot-layout batch as the ground-truth layout of ``/_emulator/truth``.

    Columns are named by their CD2 names without prefixes, plus ``meta_ts``; nested objects and
    arrays become their condensed JSON text (the TSV condensed text before TSV escaping);
    timestamps stay ``timestamp[us, UTC]``; every other type is kept.
    """
    names: list[str] = []
    arrays: list[pa.Array] = []
    for i, f in enumerate(batch.schema):
        group, _, name = f.name.partition(".")
        arr = batch.column(i)
        if group == "meta":
            if name != "ts":
                continue
            name = "meta_ts"
        if _is_nested(f.type):
            arr = json_text(arr)
        names.append(name)
        arrays.append(arr)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def truth_schema(schema: pa.Schema) -> pa.Schema:
    """The schema :func:`truth_batch` produces for a snapshot batch schema."""
    empty = pa.RecordBatch.from_arrays([pa.array([], f.type) for f in schema], schema=schema)
    return truth_batch(empty).schema


def describe(fmt: str) -> dict[str, Any]:
    """Small description of a format, for the admin status page."""
    check_format(fmt)
    return {"format": fmt, "suffix": SUFFIXES[fmt], "gzip": fmt != "parquet"}
