"""What the warehouse holds: the summary ``make demo`` prints at the end (``cd2 summary``).

Counts, per layer, the tables and rows that exist: raw (``raw_<ns>``, append-only), current state
(``canvas``/``canvas_logs``/``catalog`` staging views, under dap's table names), the CD1 star
schema and the analytics marts.
Read-only; works on any warehouse the DSN points at.
"""

from __future__ import annotations

from dataclasses import dataclass

# (label, schema name pattern, relation kinds): relkind r = table, v = view, p = partitioned
LAYERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("raw (append-only, every record received)", ("raw\\_%",), "rp"),
    ("current state (canvas.<table> views)", ("canvas%", "catalog%"), "v"),
    ("CD1 star schema", ("{cd1}",), "rpv"),
    ("analytics reports", ("{analytics}",), "rpv"),
)


@dataclass(frozen=True)
class LayerCount:
    """One layer's size."""

    label: str
    schemas: tuple[str, ...]
    relations: int
    non_empty: int
    rows: int


def _relations(cur: object, patterns: list[str], kinds: str) -> list[tuple[str, str]]:
    cur.execute(  # type: ignore[attr-defined]
        """
        select n.nspname, c.relname
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname like any(%s) and c.relkind = any(%s) and not c.relispartition
          and c.relname not like '\\_dlt%%' and c.relname not like 'base\\_%%'
        order by 1, 2
        """,
        (patterns, list(kinds)),
    )
    return list(cur.fetchall())  # type: ignore[attr-defined]


def collect(
    dsn: str, cd1_schema: str = "cd1", analytics_schema: str = "analytics"
) -> list[LayerCount]:
    """Count the relations and rows of each layer.

    Args:
        dsn: PostgreSQL connection string.
        cd1_schema: the CD1 schema name (dbt var ``cd1_schema``).
        analytics_schema: the analytics schema name.

    Returns:
        One count per layer.
    """
    import psycopg2
    from psycopg2 import sql

    out: list[LayerCount] = []
    conn = psycopg2.connect(dsn)
    try:
        cur = conn.cursor()
        for label, patterns, kinds in LAYERS:
            rels = _relations(
                cur, [p.format(cd1=cd1_schema, analytics=analytics_schema) for p in patterns], kinds
            )
            rows = non_empty = 0
            for schema, name in rels:
                cur.execute(
                    sql.SQL("select count(*) from {}.{}").format(
                        sql.Identifier(schema), sql.Identifier(name)
                    )
                )
                n = int(cur.fetchone()[0])  # type: ignore[index]
                rows += n
                non_empty += n > 0
            out.append(
                LayerCount(label, tuple(sorted({s for s, _ in rels})), len(rels), non_empty, rows)
            )
    finally:
        conn.close()
    return out


def render(layers: list[LayerCount]) -> str:
    """The summary as aligned text lines.

    Args:
        layers: from :func:`collect`.

    Returns:
        Text.
    """
    lines = [f"{'layer':<44} {'schemas':<28} {'tables':>7} {'non-empty':>10} {'rows':>12}"]
    for layer in layers:
        schemas = ",".join(layer.schemas) or "-"
        lines.append(
            f"{layer.label:<44} {schemas[:28]:<28} {layer.relations:>7} "
            f"{layer.non_empty:>10} {layer.rows:>12,}"
        )
    return "\n".join(lines)
