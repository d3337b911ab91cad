"""The CD1 schema as institutions last saw it: the 4.2.1 ``schema.json`` plus the later additions.

``loader/reference/cd1_schema.json`` is a copy of the shared reference: the 100 tables of CD1 4.2.1
(the last raw ``schema.json`` found in public) and, under ``later_additions``, what CD1 added after
it: columns (``outcome_import_id`` on four learning-outcome tables in 4.2.2, ``posted_at`` on
``submission_dim`` later) and tables (the six Canvas Catalog tables of 4.2.2). The additions are
given as names (columns) or MySQL DDL types (tables), so this module types them the way the 4.2.1
reference types its columns, appends each added column after the table's 4.2.1 columns and each
added table after the 4.2.1 tables, and marks each with ``added_in``.

The codegen (``_cd1__models.yml``) and the coverage report read the schema through :func:`tables`
only, so both follow the same, latest CD1 schema we can establish.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).with_name("reference") / "cd1_schema.json"

# What the additions give no type or text for: the type (the CD1 DDL that lists them: a BIGINT id,
# a DATETIME) and a description in our words. Keyed by (table, column).
LATER_COLUMNS: dict[tuple[str, str], dict[str, str]] = {
    ("learning_outcome_dim", "outcome_import_id"): {
        "type": "bigint",
        "description": "Id of the outcome import that created this outcome; NULL when it was not"
        " created by an import.",
    },
    ("learning_outcome_fact", "outcome_import_id"): {
        "type": "bigint",
        "description": "Id of the outcome import that created this outcome; NULL when it was not"
        " created by an import.",
    },
    ("learning_outcome_group_dim", "outcome_import_id"): {
        "type": "bigint",
        "description": "Id of the outcome import that created this group; NULL when it was not"
        " created by an import.",
    },
    ("learning_outcome_group_fact", "outcome_import_id"): {
        "type": "bigint",
        "description": "Id of the outcome import that created this group; NULL when it was not"
        " created by an import.",
    },
    ("submission_dim", "posted_at"): {
        "type": "timestamp",
        "description": "Timestamp when the submission's grade and comments were posted (made"
        " visible) to the student; NULL while they are hidden.",
    },
}


def _added_in(key: str) -> str:
    """A short label for a ``later_additions`` key (``4.2.2 (who, when)`` -> ``4.2.2``)."""
    version = re.match(r"\d+(\.\d+)+", key)
    if version:
        return version.group(0)
    dated = re.search(r"(\d{4})-(\d{2})-(\d{2})", key)
    return f"a release after 4.2.2 (seen in a {dated.group(0)} dump)" if dated else key


def _typed(spec: Any) -> dict[str, Any]:
    """A CD1 DDL type (MySQL spelling, or a value list) as the 4.2.1 reference spells types."""
    if isinstance(spec, list):
        if sorted(str(v).lower() for v in spec) == ["false", "true"]:
            return {"type": "boolean"}
        return {"type": "enum"}
    text = str(spec).strip().upper()
    varchar = re.fullmatch(r"VARCHAR\((\d+)\)", text)
    if varchar:
        return {"type": "varchar", "length": int(varchar.group(1))}
    simple = {
        "BIGINT": "bigint",
        "INTEGER": "int",
        "INTEGER UNSIGNED": "int",
        "INT": "int",
        "DOUBLE": "double precision",
        "DATETIME": "timestamp",
        "TIMESTAMP": "timestamp",
        "DATE": "date",
        "TEXT": "text",
        "LONGTEXT": "text",
        "BOOLEAN": "boolean",
    }
    if text not in simple:
        raise ValueError(f"cd1_schema.json later_additions: unknown column type {spec!r}")
    return {"type": simple[text]}


@cache
def _load() -> dict[str, Any]:
    return dict(json.loads(REFERENCE.read_text("utf-8")))


def version() -> str:
    """The schema version the marts follow, e.g. ``4.2.1 + later additions``."""
    data = _load()
    return (
        f"{data['version']} + later additions" if data.get("later_additions") else data["version"]
    )


def tables() -> list[dict[str, Any]]:
    """Every CD1 table of the latest schema we can establish, in reference order.

    The 4.2.1 tables come first, in their order, then the tables added later. A column added later
    comes after the table's 4.2.1 columns (in the order of the additions). Items added after 4.2.1
    carry ``added_in`` (e.g. ``4.2.2``).

    Returns:
        Tables in the normalized reference format (``table``, ``dw_type``, ``description``,
        ``columns``: ``name``, ``type``, ``length``, ``description``, ``references``).

    Raises:
        ValueError: an addition names an unknown table, or a column with no known type.
    """
    data = _load()
    out = copy.deepcopy(data["tables"])
    by_name = {t["table"]: t for t in out}
    for key, additions in (data.get("later_additions") or {}).items():
        added_in = _added_in(key)
        for table, columns in (additions.get("new_columns") or {}).items():
            if table not in by_name:
                raise ValueError(f"later_additions: {key} adds columns to unknown table {table}")
            for name in columns:
                info = LATER_COLUMNS.get((table, name))
                if info is None:
                    raise ValueError(f"later_additions: no type known for {table}.{name}")
                by_name[table]["columns"].append(
                    {
                        "name": name,
                        "type": info["type"],
                        "description": info["description"],
                        "added_in": added_in,
                    }
                )
        for table, columns in (additions.get("new_tables") or {}).items():
            entry = {
                "table": table,
                "schema_key": table,
                "dw_type": "fact" if table.endswith("_fact") else "dimension",
                "incremental": False,
                "description": CATALOG_TABLES.get(table, {}).get("description", table),
                "hints": None,
                "added_in": added_in,
                "columns": [
                    {
                        "name": name,
                        **_typed(spec),
                        "description": CATALOG_TABLES.get(table, {})
                        .get("columns", {})
                        .get(name, ""),
                        **(
                            {"references": dict(ref, declared=False)}
                            if (ref := CATALOG_REFERENCES.get((table, name)))
                            else {}
                        ),
                    }
                    for name, spec in columns.items()
                ],
            }
            out.append(entry)
            by_name[table] = entry
    return out


# Descriptions of the Canvas Catalog tables (CD1 4.2.2), in our words: the additions give names
# and types only.
CATALOG_TABLES: dict[str, dict[str, Any]] = {
    "catalog_dim": {
        "description": "A Canvas Catalog catalog (CD1 4.2.2): the root catalog of an institution"
        " or one of its sub-catalogs.",
        "columns": {
            "id": "Unique id of the catalog.",
            "parent_id": "The parent catalog (NULL for the root catalog).",
            "name": "Name of the catalog.",
            "currency": "Currency the catalog charges its fees in.",
            "country": "Country of the catalog.",
            "time_zone": "Time zone of the catalog.",
            "created_at": "Timestamp when the catalog was created.",
            "updated_at": "Timestamp when the catalog was last updated.",
        },
    },
    "catalog_product_dim": {
        "description": "A product listed in Canvas Catalog (CD1 4.2.2): a course, or a program"
        " of courses.",
        "columns": {
            "id": "Unique id of the product.",
            "catalog_id": "The catalog that lists the product.",
            "start_date": "When the product starts.",
            "end_date": "When the product ends.",
            "course_id": "The Canvas course of a course product.",
            "product_type": "Course or Program.",
            "title": "Title of the product.",
            "visibility": "Who can see the product in the catalog (e.g. listed, unlisted).",
            "enrollment_open": "True if students can enroll.",
            "has_waitlist": "True if the product keeps a waitlist when full.",
            "created_at": "Timestamp when the product was created.",
            "updated_at": "Timestamp when the product was last updated.",
        },
    },
    "catalog_product_fact": {
        "description": "Measures of a Canvas Catalog product (CD1 4.2.2).",
        "columns": {
            "catalog_product_id": "The product.",
            "catalog_id": "The catalog that lists the product.",
            "parent_catalog_id": "The parent of that catalog (NULL for a root catalog).",
            "course_id": "The Canvas course of a course product.",
            "enrollment_term_id": "The enrollment term of that course.",
            "enrollment_fee": "Fee to enroll, in the catalog's currency.",
            "credits": "Credits the product gives.",
            "waitlist_capacity": "Places on the waitlist.",
            "enrollment_capacity": "Places for enrollments.",
        },
    },
    "catalog_enrollment_dim": {
        "description": "A user's enrollment in a Canvas Catalog product (CD1 4.2.2).",
        "columns": {
            "id": "Unique id of the catalog enrollment.",
            "catalog_product_id": "The product enrolled in.",
            "user_id": "The enrolled Canvas user.",
            "root_program_id": "The program this enrollment was made through, if any.",
            "status": "Status of the enrollment.",
            "requirements_completed_at": "When the user completed the product's requirements.",
            "ends_at": "When the enrollment ends.",
            "created_at": "Timestamp when the enrollment was created.",
            "updated_at": "Timestamp when the enrollment was last updated.",
        },
    },
    "catalog_user_registration_dim": {
        "description": "A user's registration with Canvas Catalog (CD1 4.2.2).",
        "columns": {
            "id": "Unique id of the registration.",
            "catalog_id": "The catalog the user registered with.",
            "user_id": "The registered Canvas user.",
            "created_at": "Timestamp when the registration was created.",
            "updated_at": "Timestamp when the registration was last updated.",
        },
    },
    "catalog_program_requirement_fact": {
        "description": "A product a Canvas Catalog program requires (CD1 4.2.2).",
        "columns": {
            "id": "Unique id of the requirement.",
            "catalog_id": "The catalog of the program.",
            "catalog_program_id": "The program (a catalog product).",
            "catalog_product_id": "The required product.",
            "course_id": "The Canvas course of the required product.",
        },
    },
}

# References of the Canvas Catalog tables to other CD1 tables, inferred from the column names the
# way the reference infers them for 4.2.1 (X_id -> X_dim.id; a program is a catalog product).
CATALOG_REFERENCES: dict[tuple[str, str], dict[str, str]] = {
    **{
        (table, column): {"table": "catalog_dim", "column": "id"}
        for table, column in (
            ("catalog_dim", "parent_id"),
            ("catalog_product_dim", "catalog_id"),
            ("catalog_product_fact", "catalog_id"),
            ("catalog_product_fact", "parent_catalog_id"),
            ("catalog_user_registration_dim", "catalog_id"),
            ("catalog_program_requirement_fact", "catalog_id"),
        )
    },
    **{
        (table, column): {"table": "catalog_product_dim", "column": "id"}
        for table, column in (
            ("catalog_product_fact", "catalog_product_id"),
            ("catalog_enrollment_dim", "catalog_product_id"),
            ("catalog_enrollment_dim", "root_program_id"),
            ("catalog_program_requirement_fact", "catalog_program_id"),
            ("catalog_program_requirement_fact", "catalog_product_id"),
        )
    },
    **{
        (table, "course_id"): {"table": "course_dim", "column": "id"}
        for table in (
            "catalog_product_dim",
            "catalog_product_fact",
            "catalog_program_requirement_fact",
        )
    },
    **{
        (table, "user_id"): {"table": "user_dim", "column": "id"}
        for table in ("catalog_enrollment_dim", "catalog_user_registration_dim")
    },
    ("catalog_product_fact", "enrollment_term_id"): {
        "table": "enrollment_term_dim",
        "column": "id",
    },
}
