"""The CD2 catalog as the emulator serves it: DAP JSON schemas and Arrow layouts.

The reference catalog (``data/cd2_schema.json``, a copy of ``shared/reference/cd2-schema``) gives
tables, columns, PostgreSQL-style types, nullability, enums and foreign keys. This module turns each
table into

* the *versioned JSON schema* the DAP API serves at ``GET /dap/query/{ns}/table/{t}/schema``
  (``$schema``, ``meta``/``key``/``value``, one key property, no free-form objects), and
* the flat Arrow schema of the record batches the data generator produces (``meta.ts``,
  ``meta.action``, ``key.<pk>``, ``value.<col>``; nested objects as Arrow structs).

Schema evolution during a scenario (a new column, a required column becoming optional) is
represented by :class:`SchemaChange` entries applied on top of the reference table.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import pyarrow as pa

NAMESPACES: tuple[str, ...] = ("canvas", "canvas_logs", "catalog", "new_quizzes")
ENUM_SENTINEL = "__dap_unspecified__"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Enum types whose value lists the reference could not find. Canvas's own values, chosen by us.
MISSING_ENUMS: dict[str, list[str]] = {
    "account_users__workflow_state": ["active", "deleted"],
    "assignments__submission_types": [
        "none",
        "on_paper",
        "online_quiz",
        "discussion_topic",
        "external_tool",
        "online_upload",
        "online_text_entry",
        "online_url",
        "media_recording",
        "student_annotation",
        "wiki_page",
    ],
    "assignments__type": ["Assignment", "PeerReviewSubAssignment", "SubAssignment"],
    "attachment_associations__context_type": [
        "ConversationMessage",
        "Submission",
        "Course",
        "Group",
        "User",
    ],
    "collaboration__context_type": ["Course", "Group"],
    "comment_bank_items__workflow_state": ["active", "deleted"],
    "content_participations__workflow_state": ["read", "unread"],
    "content_participations__content_type": ["Submission"],
    "developer_key_account_bindings__workflow_state": ["on", "off", "allow"],
    "favorites__context_type": ["Course", "Group"],
    "feature_flags__context_type": ["Account", "Course", "User"],
    "grading_standards__workflow_state": ["active", "deleted"],
    "grading_standards__context_type": ["Account", "Course"],
    "outcome_proficiencies__workflow_state": ["active", "deleted"],
    "outcome_proficiencies__context_type": ["Account"],
}

# CD2's JSON-object columns ("canvas"."Annotated"). The real service must describe them with fixed
# properties (the official client crashes on property-less objects), so we give each a small,
# plausible set of sub-properties. This is what makes ``mode=expanded`` differ from ``condensed``.
NESTED_OBJECTS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("assignment_groups", "rules"): [
        ("drop_lowest", "integer"),
        ("drop_highest", "integer"),
        ("never_drop", "bigint[]"),
    ],
    ("assignments", "turnitin_settings"): [
        ("originality_report_visibility", "text"),
        ("s_paper_check", "boolean"),
        ("internet_check", "boolean"),
        ("exclude_biblio", "boolean"),
        ("exclude_quoted", "boolean"),
    ],
    ("context_external_tools", "settings"): [
        ("text", "text"),
        ("icon_url", "text"),
        ("selection_width", "integer"),
        ("selection_height", "integer"),
    ],
    ("courses", "settings"): [
        ("allow_student_discussion_topics", "boolean"),
        ("hide_final_grades", "boolean"),
        ("lock_all_announcements", "boolean"),
        ("restrict_student_past_view", "boolean"),
        ("default_due_time", "text"),
    ],
    ("quiz_questions", "question_data"): [
        ("question_type", "text"),
        ("question_text", "text"),
        ("points_possible", "double precision"),
        ("answers", "text[]"),
    ],
}

_VARCHAR = re.compile(r"^varchar\((\d+)\)$")
_DECIMAL = re.compile(r"^decimal\((\d+),\s*(\d+)\)$")


@dataclass(frozen=True)
class Column:
    """One column of a CD2 table, as the emulator models it.

    Attributes:
        name: CD2 column name.
        type: base type in PostgreSQL spelling (``bigint``, ``varchar(255)``, ``timestamp``,
            ``enum``, ``object``, ...); arrays end in ``[]``.
        nullable: False when the column is in the schema's ``required`` list.
        description: text for the JSON schema ``description``.
        enum: allowed values (without the sentinel) for enum columns.
        fields: sub-columns of a nested object column.
        references: ``(namespace, table)`` pairs this column may point at (foreign keys).
        discriminator: for polymorphic keys, the column holding the target type.
    """

    name: str
    type: str
    nullable: bool = True
    description: str = ""
    enum: tuple[str, ...] | None = None
    fields: tuple[Column, ...] = ()
    references: tuple[tuple[str, str], ...] = ()
    discriminator: str | None = None

    @property
    def is_array(self) -> bool:
        """True for array-typed columns."""
        return self.type.endswith("[]")

    @property
    def base_type(self) -> str:
        """The element type for arrays, the type itself otherwise."""
        return self.type[:-2] if self.is_array else self.type


@dataclass(frozen=True)
class Table:
    """A CD2 table: namespace, name, description, key column and value columns."""

    namespace: str
    name: str
    description: str
    key: Column
    values: tuple[Column, ...]
    version: int = 1

    @property
    def qualified(self) -> str:
        """``namespace.name``."""
        return f"{self.namespace}.{self.name}"

    def column(self, name: str) -> Column:
        """The key or value column called ``name``.

        Raises:
            KeyError: no such column.
        """
        if name == self.key.name:
            return self.key
        for col in self.values:
            if col.name == name:
                return col
        raise KeyError(f"{self.qualified} has no column {name!r}")

    def has(self, name: str) -> bool:
        """Whether the table has a key or value column called ``name``."""
        return name == self.key.name or any(c.name == name for c in self.values)


@dataclass(frozen=True)
class SchemaChange:
    """A schema change applied during a scenario.

    Attributes:
        kind: ``add_column`` (a new optional column, ``varchar(255)`` unless ``type`` says
            otherwise), ``relax_required`` (a required value column becomes optional),
            ``drop_column`` (a value column leaves the schema, as in an older schema version or a
            column Instructure removed) or ``change_type`` (a value column gets type ``type``;
            its generated values are cast to it, so pick a type they convert to: numbers to
            ``text`` or a wider integer, anything to ``untyped``).
        column: the column added, relaxed, dropped or retyped.
        type: the new type (emulator spelling: ``bigint``, ``integer``, ``text``, ``double
            precision``, ``timestamp``, ``boolean``, ``varchar(n)``, ``decimal(p,s)``…, or
            ``untyped``: a property without a JSON-schema type, served as text).
    """

    kind: str
    column: str
    type: str | None = None


SCHEMA_CHANGE_KINDS = ("add_column", "relax_required", "drop_column", "change_type")
UNTYPED = "untyped"


@dataclass
class Catalog:
    """All tables per namespace, with the schema changes applied so far."""

    tables: dict[str, dict[str, Table]] = field(default_factory=dict)

    def table(self, namespace: str, name: str) -> Table:
        """The table ``namespace.name``.

        Raises:
            KeyError: unknown namespace or table.
        """
        return self.tables[namespace][name]

    def all_tables(self) -> list[Table]:
        """Every table of every namespace, in a stable order."""
        return [t for ns in NAMESPACES for t in self.tables.get(ns, {}).values()]

    def apply(self, namespace: str, name: str, change: SchemaChange) -> Table:
        """Apply a schema change and bump the table's version.

        Returns:
            The new table definition.

        Raises:
            ValueError: the change does not apply (unknown kind, column exists / not required).
        """
        old = self.table(namespace, name)
        if change.type is not None:
            _scalar_json(change.type, ())  # ValueError: unsupported type
        if change.kind == "add_column":
            if old.has(change.column):
                raise ValueError(f"{old.qualified} already has column {change.column!r}")
            new_col = Column(
                change.column,
                change.type or "varchar(255)",
                True,
                f"Added in schema version {old.version + 1}.",
            )
            new = replace(old, values=old.values + (new_col,), version=old.version + 1)
        elif change.kind == "drop_column":
            col = old.column(change.column)
            if col is old.key:
                raise ValueError(
                    f"{old.qualified}.{change.column} is the key: it cannot be dropped"
                )
            values = tuple(c for c in old.values if c.name != col.name)
            new = replace(old, values=values, version=old.version + 1)
        elif change.kind == "change_type":
            col = old.column(change.column)
            if col is old.key or change.type is None:
                raise ValueError(
                    f"change_type needs a value column and a type (got {change.column!r}, "
                    f"{change.type!r})"
                )
            retyped = replace(col, type=change.type, enum=None, fields=())
            values = tuple(retyped if c.name == col.name else c for c in old.values)
            new = replace(old, values=values, version=old.version + 1)
        elif change.kind == "relax_required":
            col = old.column(change.column)
            if col.nullable or col is old.key:
                raise ValueError(f"{old.qualified}.{change.column} is not a required value column")
            values = tuple(
                replace(c, nullable=True) if c.name == col.name else c for c in old.values
            )
            new = replace(old, values=values, version=old.version + 1)
        else:
            raise ValueError(f"unknown schema change kind {change.kind!r}")
        self.tables[namespace][name] = new
        return new


def _reference() -> dict[str, Any]:
    text = resources.files("emulator").joinpath("data/cd2_schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    # The catalog namespace (Canvas Catalog): the tables the CD1 Catalog marts read, in the same
    # record format (data/cd2_catalog_schema.json says where they come from).
    extra = resources.files("emulator").joinpath("data/cd2_catalog_schema.json").read_text("utf-8")
    data["tables"] = [*data["tables"], *json.loads(extra)["tables"]]
    return data


def _column(
    table: str,
    raw: dict[str, Any],
    references: tuple[tuple[str, str], ...],
    discriminator: str | None,
) -> Column:
    raw_type: str = raw["type"]
    enum_type = raw.get("enum_type")
    if (table, raw["name"]) in NESTED_OBJECTS:
        subs = tuple(Column(n, t, True) for n, t in NESTED_OBJECTS[(table, raw["name"])])
        return Column(
            raw["name"], "object", bool(raw["nullable"]), raw.get("description", ""), fields=subs
        )
    if enum_type:
        values = raw.get("enum") or MISSING_ENUMS[enum_type]
        col_type = "enum[]" if raw_type.endswith("[]") else "enum"
        return Column(
            raw["name"],
            col_type,
            bool(raw["nullable"]),
            raw.get("description", ""),
            enum=tuple(values),
            references=references,
            discriminator=discriminator,
        )
    return Column(
        raw["name"],
        raw_type,
        bool(raw["nullable"]),
        raw.get("description", ""),
        references=references,
        discriminator=discriminator,
    )


@cache
def _reference_tables() -> tuple[Table, ...]:
    ref = _reference()
    out: list[Table] = []
    for raw in ref["tables"]:
        refs: dict[str, list[tuple[str, str]]] = {}
        discs: dict[str, str] = {}
        for fk in raw["foreign_keys"]:
            target = fk["references_table"]
            ns, _, tbl = target.rpartition(".")
            refs.setdefault(fk["column"], []).append((ns or raw["namespace"], tbl))
            if fk.get("discriminator"):
                discs[fk["column"]] = fk["discriminator"]
        cols = [
            _column(raw["table"], c, tuple(refs.get(c["name"], ())), discs.get(c["name"]))
            for c in raw["columns"]
        ]
        (pk,) = raw["primary_key"]
        key = next(c for c in cols if c.name == pk)
        key = replace(key, nullable=False)
        values = tuple(c for c in cols if c.name != pk)
        out.append(Table(raw["namespace"], raw["table"], raw.get("description", ""), key, values))
    return tuple(out)


def load_catalog() -> Catalog:
    """A fresh catalog of every reference table, at version 1, with no changes applied.

    ``new_quizzes`` exists as a namespace with no tables: the reference has none; ``catalog``
    has the Canvas Catalog tables of ``data/cd2_catalog_schema.json``.
    """
    cat = Catalog({ns: {} for ns in NAMESPACES})
    for t in _reference_tables():
        cat.tables[t.namespace][t.name] = t
    return cat


# --------------------------------------------------------------------------- JSON schema


def _scalar_json(col_type: str, enum: tuple[str, ...] | None) -> dict[str, Any]:
    if col_type == UNTYPED:
        return {}
    if col_type in ("enum",):
        return {"type": "string", "enum": [*(enum or ()), ENUM_SENTINEL]}
    if col_type == "bigint":
        return {"type": "integer", "format": "int64"}
    if col_type == "integer":
        return {"type": "integer", "format": "int32"}
    if col_type == "smallint":
        return {"type": "integer", "format": "int16"}
    if col_type == "double precision":
        return {"type": "number", "format": "float64"}
    if col_type == "decimal":  # no precision given (the catalog namespace): a plain number
        return {"type": "number"}
    if col_type == "boolean":
        return {"type": "boolean"}
    if col_type == "timestamp":
        return {"type": "string", "format": "date-time"}
    if col_type == "date":
        return {"type": "string", "format": "date"}
    if col_type == "uuid":
        return {"type": "string", "format": "uuid"}
    if col_type == "inet":
        return {"type": "string", "format": "ipv4"}
    if col_type == "text":
        return {"type": "string"}
    m = _VARCHAR.match(col_type)
    if m:
        return {"type": "string", "maxLength": int(m.group(1))}
    m = _DECIMAL.match(col_type)
    if m:
        precision, scale = int(m.group(1)), int(m.group(2))
        bound = 10 ** (precision - scale)
        return {
            "type": "number",
            "exclusiveMinimum": -bound,
            "exclusiveMaximum": bound,
            "multipleOf": float(f"1e-{scale}") if scale else 1,
        }
    raise ValueError(f"unsupported column type {col_type!r}")


def column_json(col: Column) -> dict[str, Any]:
    """The JSON-schema property for one column."""
    if col.type == "object":
        prop: dict[str, Any] = {
            "type": "object",
            "properties": {f.name: column_json(f) for f in col.fields},
            "additionalProperties": False,
        }
    elif col.is_array:
        prop = {"type": "array", "items": _scalar_json(col.base_type, col.enum)}
    else:
        prop = _scalar_json(col.type, col.enum)
    if col.description:
        prop["description"] = col.description
    return prop


def json_schema(table: Table) -> dict[str, Any]:
    """The DAP ``VersionedSchema`` body for a table: ``{"version": n, "schema": {...}}``."""
    value_required = [c.name for c in table.values if not c.nullable]
    value: dict[str, Any] = {
        "type": "object",
        "properties": {c.name: column_json(c) for c in table.values},
        "additionalProperties": False,
    }
    if value_required:
        value["required"] = value_required
    schema = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": table.description or table.name,
        "type": "object",
        "properties": {
            "meta": {
                "type": "object",
                "properties": {
                    "ts": {
                        "type": "string",
                        "format": "date-time",
                        "description": "Commit time of the record.",
                    },
                    "action": {
                        "type": "string",
                        "enum": ["U", "D"],
                        "description": "U for insert or update, D for delete.",
                    },
                },
                "additionalProperties": False,
                "required": ["ts"],
            },
            "key": {
                "type": "object",
                "properties": {table.key.name: column_json(table.key)},
                "additionalProperties": False,
                "required": [table.key.name],
            },
            "value": value,
        },
        "additionalProperties": False,
        "required": ["key"],
    }
    return {"version": table.version, "schema": schema}


# --------------------------------------------------------------------------- Arrow


def arrow_type(col: Column) -> pa.DataType:
    """The Arrow type the generator uses for a column."""
    if col.type == "object":
        return pa.struct([pa.field(f.name, arrow_type(f)) for f in col.fields])
    if col.is_array:
        return pa.list_(arrow_type(replace(col, type=col.base_type)))
    t = col.type
    if t == "bigint":
        return pa.int64()
    if t == "integer":
        return pa.int32()
    if t == "smallint":
        return pa.int16()
    if t in ("double precision", "decimal"):
        return pa.float64()
    if t == "boolean":
        return pa.bool_()
    if t == "timestamp":
        return pa.timestamp("us", tz="UTC")
    if t == "date":
        return pa.date32()
    m = _DECIMAL.match(t)
    if m:
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    return pa.string()  # text, varchar, enum, uuid, inet


def arrow_schema(table: Table, incremental: bool) -> pa.Schema:
    """Flat Arrow schema of the batches the generator yields for ``table``.

    Column names are the dotted DAP names: ``meta.ts``, ``meta.action`` (incremental only),
    ``key.<pk>``, ``value.<col>``.
    """
    fields = [pa.field("meta.ts", pa.timestamp("us", tz="UTC"), nullable=False)]
    if incremental:
        fields.append(pa.field("meta.action", pa.string(), nullable=False))
    fields.append(pa.field(f"key.{table.key.name}", arrow_type(table.key), nullable=False))
    fields += [pa.field(f"value.{c.name}", arrow_type(c)) for c in table.values]
    return pa.schema(fields)
