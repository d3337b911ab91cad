"""CD2 table schemas (DAP JSON schema) → Arrow types and dlt column hints. Pure functions.

A DAP schema describes the logical record ``{meta, key, value}``. The raw table gets

* one column per ``key`` property and per ``value`` property, with the CD2 names, typed:

  ======================================  ==================  ==========================
  JSON schema                             PostgreSQL          Arrow (as parsed)
  ======================================  ==================  ==========================
  integer int16 / int32 / int64 (other)   smallint/integer/   int16 / int32 / int64
                                          bigint
  number float32 / float64 / other        double precision    float64
  number with ``multipleOf`` (decimal)    numeric             string (exact digits;
                                                              PostgreSQL parses them)
  boolean                                 boolean             bool
  string date-time                        timestamptz         timestamp[us, UTC]
  string date                             date                date32
  other strings (enum, uuid, ipv4, time…) text                string
  object, array, anything else            jsonb               string (JSON text)
  ======================================  ==================  ==========================

* the change metadata columns :data:`META_COLUMNS`.

Nothing is declared NOT NULL: Instructure has shipped wrong ``required`` flags, and a raw layer
must accept what arrives.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa

JSON = "json"
TEXT = "text"

# Loader-added columns, in table order after the CD2 columns. (name, dlt hint, Arrow type)
META_COLUMNS: tuple[tuple[str, dict[str, Any], pa.DataType], ...] = (
    ("meta_ts", {"data_type": "timestamp", "timezone": True}, pa.timestamp("us", tz="UTC")),
    ("meta_action", {"data_type": "text"}, pa.string()),
    ("_dap_load_kind", {"data_type": "text"}, pa.string()),
    ("_dap_job_id", {"data_type": "text"}, pa.string()),
    ("_dap_job_seq", {"data_type": "bigint"}, pa.int64()),
    ("_dap_change_order", {"data_type": "bigint"}, pa.int64()),
    ("_dap_loaded_at", {"data_type": "timestamp", "timezone": True}, pa.timestamp("us", tz="UTC")),
)
META_COLUMN_NAMES = tuple(name for name, _, _ in META_COLUMNS)


@dataclass(frozen=True)
class ColumnSpec:
    """One CD2 column of a raw table.

    Attributes:
        name: the CD2 name (``id``, ``workflow_state``…); also the raw column name.
        part: ``key`` or ``value``.
        kind: logical type: ``int16``, ``int32``, ``int64``, ``float``, ``decimal``, ``bool``,
            ``timestamp``, ``date``, ``text`` or ``json``.
        required: whether the schema marks it required (informational only; never NOT NULL).
        description: title or description from the schema.
        properties: for objects, the sub-properties (used to re-assemble expanded columns and to
            read nested JSON/Parquet data).
        schema: the property's JSON schema.
    """

    name: str
    part: str
    kind: str
    required: bool = False
    description: str = ""
    properties: tuple[ColumnSpec, ...] = ()
    schema: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    stored_kind: str | None = None

    @property
    def raw_kind(self) -> str:
        """The logical type of the raw column: ``stored_kind`` when the raw table keeps another
        type than the served one (:func:`reconcile_types`), else ``kind``."""
        return self.stored_kind or self.kind

    @property
    def dotted(self) -> str:
        """The column name in DAP files: ``key.id``, ``value.name``."""
        return f"{self.part}.{self.name}"

    @property
    def arrow_type(self) -> pa.DataType:
        """The Arrow type the parsers produce for this column."""
        return ARROW_TYPES[self.kind]

    @property
    def is_json(self) -> bool:
        """Whether the column holds JSON text (objects, arrays)."""
        return self.kind == JSON

    def dlt_hint(self) -> dict[str, Any]:
        """The dlt column schema for this column (always nullable).

        Returns:
            A dlt ``TColumnSchema`` dict.
        """
        hint: dict[str, Any] = {"name": self.name, "nullable": True}
        hint.update(DLT_TYPES[self.raw_kind])
        if self.description:
            hint["description"] = self.description
        return hint


ARROW_TYPES: dict[str, pa.DataType] = {
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float": pa.float64(),
    "decimal": pa.string(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    TEXT: pa.string(),
    JSON: pa.string(),
}

DLT_TYPES: dict[str, dict[str, Any]] = {
    "int16": {"data_type": "bigint", "precision": 16},
    "int32": {"data_type": "bigint", "precision": 32},
    "int64": {"data_type": "bigint", "precision": 64},
    "float": {"data_type": "double"},
    "decimal": {"data_type": "decimal"},  # no precision: unconstrained numeric (see destination)
    "bool": {"data_type": "bool"},
    "timestamp": {"data_type": "timestamp", "timezone": True},
    "date": {"data_type": "date"},
    TEXT: {"data_type": "text"},
    JSON: {"data_type": "json"},
}

PG_TYPES: dict[str, str] = {
    "int16": "smallint",
    "int32": "integer",
    "int64": "bigint",
    "float": "double precision",
    "decimal": "numeric",
    "bool": "boolean",
    "timestamp": "timestamp with time zone",
    "date": "date",
    TEXT: "text",
    JSON: "jsonb",
}


def column_kind(prop: Mapping[str, Any]) -> str:
    """The logical type of a JSON-schema property.

    Args:
        prop: the property's schema.

    Returns:
        One of the keys of :data:`ARROW_TYPES`.
    """
    type_ = prop.get("type")
    if isinstance(type_, list):  # ["string", "null"] style
        non_null = [t for t in type_ if t != "null"]
        type_ = non_null[0] if len(non_null) == 1 else None
    fmt = prop.get("format")
    if type_ == "integer":
        return {"int16": "int16", "int32": "int32"}.get(str(fmt), "int64")
    if type_ == "number":
        return "decimal" if "multipleOf" in prop else "float"
    if type_ == "boolean":
        return "bool"
    if type_ == "string":
        return {"date-time": "timestamp", "date": "date"}.get(str(fmt), TEXT)
    if type_ in ("object", "array"):
        return JSON
    branches = prop.get("oneOf") or prop.get("anyOf")
    if isinstance(branches, list) and branches:
        kinds = {column_kind(b) for b in branches if isinstance(b, Mapping)}
        if len(kinds) == 1:
            return kinds.pop()
        return JSON if JSON in kinds else TEXT
    if "properties" in prop:
        return JSON
    return TEXT


def _spec(name: str, part: str, prop: Mapping[str, Any], required: bool) -> ColumnSpec:
    kind = column_kind(prop)
    subs: tuple[ColumnSpec, ...] = ()
    if kind == JSON and isinstance(prop.get("properties"), Mapping):
        sub_required = set(prop.get("required") or ())
        subs = tuple(
            _spec(sub, part, sub_prop, sub in sub_required)
            for sub, sub_prop in prop["properties"].items()
            if isinstance(sub_prop, Mapping)
        )
    description = str(prop.get("title") or prop.get("description") or "")
    return ColumnSpec(name, part, kind, required, " ".join(description.split()), subs, prop)


@dataclass(frozen=True)
class TableLayout:
    """A CD2 table as the loader writes it.

    Attributes:
        namespace: DAP namespace.
        table: CD2 table name.
        version: schema version.
        keys: key columns (the first is the primary key).
        values: value columns.
        description: table description.
    """

    namespace: str
    table: str
    version: int
    keys: tuple[ColumnSpec, ...]
    values: tuple[ColumnSpec, ...]
    description: str = ""

    @property
    def columns(self) -> tuple[ColumnSpec, ...]:
        """Key columns, then value columns."""
        return self.keys + self.values

    def by_dotted(self) -> dict[str, ColumnSpec]:
        """Columns by their dotted file name (``key.id``, ``value.name``).

        Returns:
            The mapping.
        """
        return {c.dotted: c for c in self.columns}

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema of the batches the loader yields (CD2 columns + metadata).

        Returns:
            The schema.
        """
        fields = [pa.field(c.name, ARROW_TYPES[c.raw_kind]) for c in self.columns]
        fields += [pa.field(name, type_) for name, _, type_ in META_COLUMNS]
        return pa.schema(fields)

    def conform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Cast the columns whose raw column keeps another type (``stored_kind``) to it.

        Args:
            batch: a parsed batch (served types).

        Returns:
            The batch with those columns cast (the same batch when there are none).
        """
        stored = {c.name: ARROW_TYPES[c.stored_kind] for c in self.columns if c.stored_kind}
        if not stored:
            return batch
        arrays = [
            column.cast(stored[name]) if name in stored else column
            for name, column in zip(batch.schema.names, batch.columns, strict=True)
        ]
        return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)

    def dlt_columns(self) -> list[dict[str, Any]]:
        """dlt column hints for the raw table, in table order.

        Returns:
            A list of dlt column schemas.
        """
        out = [c.dlt_hint() for c in self.columns]
        out += [{"name": name, "nullable": True, **hint} for name, hint, _ in META_COLUMNS]
        return out


class TypeChangeError(ValueError):
    """A served column type the raw column cannot take: that table fails alone."""


# information_schema data_type of a raw column -> the loader kind that produced it
STORED_KINDS: dict[str, str] = {
    "smallint": "int16",
    "integer": "int32",
    "bigint": "int64",
    "double precision": "float",
    "numeric": "decimal",
    "boolean": "bool",
    "timestamp with time zone": "timestamp",
    "date": "date",
    "text": TEXT,
    "character varying": TEXT,
    "jsonb": JSON,
    "json": JSON,
}
_INT_WIDTH = {"int16": 16, "int32": 32, "int64": 64}


def widen(stored: str, served: str) -> tuple[str, bool] | None:
    """Reconcile a raw column's kind with the kind a new schema serves.

    Args:
        stored: kind of the existing raw column.
        served: kind the served schema gives.

    Returns:
        ``(kind, alter)``: the raw column's kind from now on and whether the raw column must be
        altered to it (values of the served kind are cast to it); None when no PostgreSQL type
        holds both without loss (the table cannot load).
    """
    if stored == served:
        return stored, False
    if served == TEXT:  # anything reads as text
        return TEXT, True
    if stored == TEXT:  # text holds any value (e.g. a column first served untyped)
        return TEXT, False
    ints = _INT_WIDTH
    if stored in ints and served in ints:
        return (served, True) if ints[served] > ints[stored] else (stored, False)
    if stored in ints and served == "decimal":
        return "decimal", True
    if stored in ints and served == "float":
        # double precision holds every smallint/integer exactly, not every bigint
        return ("float", True) if stored != "int64" else ("decimal", True)
    if stored == "decimal" and served in (*ints, "float"):
        return "decimal", False
    if stored == "float" and served in ("int16", "int32"):
        return "float", False
    if stored == "float" and served in ("int64", "decimal"):
        return "decimal", True
    if stored == "date" and served == "timestamp":
        return "timestamp", True
    if stored == "timestamp" and served == "date":
        return "timestamp", False
    return None


@dataclass(frozen=True)
class Widening:
    """A raw column altered to a wider type before a load.

    Attributes:
        column: the raw column name.
        old: its PostgreSQL type before.
        new: its PostgreSQL type after.
    """

    column: str
    old: str
    new: str


def reconcile_types(
    layout: TableLayout, stored: Mapping[str, str], normalize: Any = None
) -> tuple[TableLayout, list[Widening]]:
    """Fit a served layout to the raw table as it exists.

    Args:
        layout: the layout of the served schema.
        stored: raw column name -> ``information_schema`` data type (empty: no raw table yet).
        normalize: maps a CD2 column name to its raw column name (default: unchanged).

    Returns:
        The layout with ``stored_kind`` set where the raw column keeps another type than the
        served one, and the raw columns to alter first (wider types).

    Raises:
        TypeChangeError: a column changed to a type the raw column cannot take; the message
            names the table, the column and both types.
    """
    columns: list[ColumnSpec] = []
    widenings: list[Widening] = []
    for col in layout.columns:
        raw_name = normalize(col.name) if normalize else col.name
        pg_type = stored.get(raw_name)
        stored_kind = STORED_KINDS.get(pg_type) if pg_type else None
        if pg_type is None or stored_kind == col.kind:
            columns.append(col)
            continue
        fitted = widen(stored_kind, col.kind) if stored_kind else None
        if fitted is None:
            raise TypeChangeError(
                f"column {col.name!r} changed type from {pg_type} (raw "
                f"{layout.namespace}.{layout.table}) to {PG_TYPES[col.kind]} (served schema "
                f"version {layout.version}); no PostgreSQL type holds both, so this table is not "
                "loaded (see docs/operations.md, 'A column changed type')"
            )
        kind, alter = fitted
        if alter:
            widenings.append(Widening(raw_name, pg_type, PG_TYPES[kind]))
        columns.append(replace(col, stored_kind=None if kind == col.kind else kind))
    n_keys = len(layout.keys)
    fitted_layout = replace(layout, keys=tuple(columns[:n_keys]), values=tuple(columns[n_keys:]))
    return fitted_layout, widenings


class UnusableNameError(ValueError):
    """A table or column name from the API that the loader cannot use: that table fails alone."""


_TABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
RESERVED_PREFIXES = ("_dap_", "_dlt_")


def table_name_problem(name: str) -> str | None:
    """Why a table name from the API cannot be a raw table, download folder or file name.

    Args:
        name: the name the API lists.

    Returns:
        A one-line reason, or None when the name is usable (a letter, then letters, digits and
        underscores, at most 63 characters: a PostgreSQL identifier that needs no shortening).
    """
    if _TABLE_NAME.match(name):
        return None
    return (
        f"table name {name!r} is not a usable table name (a letter, then letters, digits and "
        "underscores, at most 63 characters); the table is not loaded"
    )


def check_column_names(layout: TableLayout, normalize: Any) -> None:
    """Refuse column names that collide once dlt normalizes them, or with the loader's columns.

    Args:
        layout: the served layout.
        normalize: maps a CD2 column name to its raw column name (dlt's naming).

    Raises:
        UnusableNameError: two columns become one raw column (``userId`` and ``user_id``), or a
            column takes a loader column's name (``meta_ts``, ``_dap_job_seq``, anything ``_dap_``/
            ``_dlt_``); the message names them.
    """
    seen: dict[str, str] = {}
    loader_columns = set(META_COLUMN_NAMES)
    for col in layout.columns:
        raw = normalize(col.name)
        if raw in seen:
            raise UnusableNameError(
                f"columns {seen[raw]!r} and {col.name!r} both become raw column {raw!r}; the "
                "table is not loaded"
            )
        if raw in loader_columns or raw.startswith(RESERVED_PREFIXES):
            raise UnusableNameError(
                f"column {col.name!r} has the name of a loader column ({raw!r}); the table is "
                "not loaded"
            )
        seen[raw] = col.name


def table_layout(namespace: str, table: str, versioned: Mapping[str, Any] | Any) -> TableLayout:
    """Build the layout of a table from its DAP schema.

    Args:
        namespace: DAP namespace.
        table: CD2 table name.
        versioned: the ``{"version", "schema"}`` body, or an object with ``version`` and
            ``schema`` attributes.

    Returns:
        The table layout.

    Raises:
        ValueError: the schema has no ``key`` properties.
    """
    if isinstance(versioned, Mapping):
        version, schema = versioned.get("version", 0), versioned["schema"]
    else:
        version, schema = versioned.version, versioned.schema
    props = schema.get("properties") or {}
    key_section = props.get("key") or {}
    value_section = props.get("value") or {}
    key_props = key_section.get("properties") or {}
    if not key_props:
        raise ValueError(f"schema of {namespace}.{table} has no key properties")
    key_required = set(key_section.get("required") or ())
    value_required = set(value_section.get("required") or ())
    keys = tuple(_spec(n, "key", p, n in key_required) for n, p in key_props.items())
    values = tuple(
        _spec(n, "value", p, n in value_required)
        for n, p in (value_section.get("properties") or {}).items()
    )
    description = str(schema.get("title") or schema.get("description") or "")
    return TableLayout(namespace, table, int(version or 0), keys, values, description)


def decimal_precision(prop: Mapping[str, Any]) -> tuple[int, int] | None:
    """``(precision, scale)`` of a DAP decimal property, as the official client derives it.

    Informational (the raw column is unconstrained ``numeric``); exposed for docs and codegen.

    Args:
        prop: a ``number`` property with ``exclusiveMaximum`` and ``multipleOf``.

    Returns:
        The pair, or None when the bounds are not powers of ten.
    """
    bound = prop.get("exclusiveMaximum")
    step = prop.get("multipleOf")
    if not isinstance(bound, int | float) or not isinstance(step, int | float) or step <= 0:
        return None
    digits = math.log10(bound) if bound > 0 else -1
    scale = -math.log10(step)
    if digits != round(digits) or scale != round(scale):
        return None
    return int(digits) + max(0, int(round(scale))), max(0, int(round(scale)))


def sync_log_columns() -> list[dict[str, Any]]:
    """dlt column hints of the ``_dap_sync_log`` table.

    Returns:
        dlt column schemas.
    """
    spec: Iterable[tuple[str, str]] = (
        ("run_id", "text"),
        ("namespace", "text"),
        ("table_name", "text"),
        ("status", "text"),
        ("load_kind", "text"),
        ("job_id", "text"),
        ("job_seq", "bigint"),
        ("snapshot_at", "timestamp"),
        ("since", "timestamp"),
        ("until", "timestamp"),
        ("schema_version", "bigint"),
        ("rows", "bigint"),
        ("bytes", "bigint"),
        ("objects", "bigint"),
        ("seconds", "double"),
        ("started_at", "timestamp"),
        ("finished_at", "timestamp"),
        ("error", "text"),
        ("load_id", "text"),
    )
    return [{"name": n, "data_type": t, "nullable": True} for n, t in spec]


SYNC_LOG_TABLE = "_dap_sync_log"
# Freshness of the raw tables: the dbt sources' `freshness` (written by codegen) and `cd2 status`
FRESHNESS_WARN_HOURS = 12
FRESHNESS_ERROR_HOURS = 24
SYNC_LOG_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("namespace", pa.string()),
        ("table_name", pa.string()),
        ("status", pa.string()),
        ("load_kind", pa.string()),
        ("job_id", pa.string()),
        ("job_seq", pa.int64()),
        ("snapshot_at", pa.timestamp("us", tz="UTC")),
        ("since", pa.timestamp("us", tz="UTC")),
        ("until", pa.timestamp("us", tz="UTC")),
        ("schema_version", pa.int64()),
        ("rows", pa.int64()),
        ("bytes", pa.int64()),
        ("objects", pa.int64()),
        ("seconds", pa.float64()),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("finished_at", pa.timestamp("us", tz="UTC")),
        ("error", pa.string()),
        ("load_id", pa.string()),
    ]
)
