"""``cd2 status``: per table, what loaded last, how old its data is, and whether it is failing.

Reads every ``raw_<ns>._dap_sync_log`` of the warehouse (one row per table per run, written by
``cd2 load``). Per table:

* the last successful load (``ok`` or ``resnapshot``): when it finished, its kind (snapshot or
  incremental), its watermark (``until``, or the snapshot's ``at``: the time in Canvas the table
  is complete to) and the rows it loaded;
* its **age**: the reference time (now, or ``--now``) minus the watermark, against the sources'
  freshness thresholds (``FRESHNESS_WARN_HOURS``/``FRESHNESS_ERROR_HOURS``, the same constants
  codegen writes into the dbt sources' ``freshness``). The watermark, not the load's finish time,
  because a load that succeeds but brings nothing new (DAP itself behind) still leaves the data
  old; ``dbt source freshness`` measures time since the load finished, which is never more;
* the last error, when the latest attempt after that success failed;
* how many values that load set NULL because PostgreSQL would refuse them (the rows of
  ``raw_<ns>._dap_rejects`` of its job). They do not change the state or the exit code: the table
  loaded, and the rejects table says which values are missing.

States: ``ok``, ``warn`` (older than the warn threshold), ``stale`` (older than the error
threshold), ``failing`` (the latest attempt failed), ``never`` (no successful load yet, and no
failure). Exit code of the CLI: 0 when every table is ``ok`` or ``warn``, 1 when any is
``stale``, ``failing`` or ``never``, 2 when there is nothing to report on (no warehouse, no sync
log).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from loader.rejects import REJECTS_TABLE
from loader.schema import FRESHNESS_ERROR_HOURS, FRESHNESS_WARN_HOURS, SYNC_LOG_TABLE

OK = "ok"
WARN = "warn"
STALE = "stale"
FAILING = "failing"
NEVER = "never"
BAD_STATES = (STALE, FAILING, NEVER)


@dataclass(frozen=True)
class TableStatus:
    """The status of one raw table.

    Attributes:
        namespace: DAP namespace.
        table: CD2 table name.
        state: ``ok``, ``warn``, ``stale``, ``failing`` or ``never``.
        last_success_at: when the last successful load finished.
        load_kind: that load's kind (``snapshot`` or ``incremental``).
        until: its watermark (``until``, or the snapshot's ``at``).
        age_hours: reference time minus ``until``, in hours.
        rows: rows that load brought.
        last_error: the error of the latest attempt, when it failed after the last success.
        last_error_at: when that attempt finished.
        rejected: values the last successful load set NULL (rows of ``_dap_rejects``).
    """

    namespace: str
    table: str
    state: str
    last_success_at: datetime | None
    load_kind: str | None
    until: datetime | None
    age_hours: float | None
    rows: int | None
    last_error: str | None
    last_error_at: datetime | None
    rejected: int = 0

    @property
    def qualified(self) -> str:
        """``namespace.table``."""
        return f"{self.namespace}.{self.table}"


def _sync_log_schemas(cur: Any) -> list[str]:
    cur.execute(
        "select table_schema from information_schema.tables "
        "where table_name = %s and table_schema like 'raw\\_%%' order by 1",
        (SYNC_LOG_TABLE,),
    )
    return [r[0] for r in cur.fetchall()]


QUERY = """
with attempts as (
    select
        namespace,
        table_name,
        status,
        load_kind,
        coalesce("until", snapshot_at) as watermark,
        "rows",
        job_id,
        error,
        finished_at,
        row_number() over (
            partition by namespace, table_name order by finished_at desc nulls last
        ) as recency
    from {table}
),
last_success as (
    select distinct on (namespace, table_name)
        namespace, table_name, load_kind, watermark, "rows", finished_at, job_id
    from attempts
    where status in ('ok', 'resnapshot')
    order by namespace, table_name, finished_at desc nulls last
),
latest as (
    select namespace, table_name, status, error, finished_at
    from attempts
    where recency = 1
)
select
    latest.namespace,
    latest.table_name,
    last_success.finished_at,
    last_success.load_kind,
    last_success.watermark,
    last_success."rows",
    case when latest.status = 'failed' then latest.error end,
    case when latest.status = 'failed' then latest.finished_at end,
    last_success.job_id
from latest
left join last_success
    on last_success.namespace = latest.namespace
    and last_success.table_name = latest.table_name
order by 1, 2
"""


def classify(
    watermark: datetime | None,
    failed: bool,
    now: datetime,
    warn_hours: float = FRESHNESS_WARN_HOURS,
    error_hours: float = FRESHNESS_ERROR_HOURS,
) -> tuple[str, float | None]:
    """A table's state and age.

    Args:
        watermark: the last successful load's watermark (None: never loaded).
        failed: whether the latest attempt failed.
        now: the reference time.
        warn_hours: warn threshold.
        error_hours: error threshold.

    Returns:
        (state, age in hours or None).
    """
    age = None if watermark is None else (now - watermark) / timedelta(hours=1)
    if failed:
        return FAILING, age
    if age is None:
        return NEVER, None
    if age >= error_hours:
        return STALE, age
    if age >= warn_hours:
        return WARN, age
    return OK, age


def collect(
    dsn: str, now: datetime | None = None, namespaces: tuple[str, ...] = ()
) -> list[TableStatus]:
    """Every table's status from the warehouse's sync logs.

    Args:
        dsn: PostgreSQL DSN.
        now: reference time (default: the current time).
        namespaces: only these namespaces (default all ``raw_*`` schemas with a sync log).

    Returns:
        One status per table, by namespace and table.
    """
    import psycopg2
    from psycopg2 import sql

    now = now or datetime.now(UTC)
    out: list[TableStatus] = []
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            for schema in _sync_log_schemas(cur):
                if namespaces and schema.removeprefix("raw_") not in namespaces:
                    continue
                rejected = _rejected_per_job(cur, schema)
                table = sql.Identifier(schema, SYNC_LOG_TABLE)
                cur.execute(sql.SQL(QUERY).format(table=table))
                for ns, name, success_at, kind, watermark, rows, error, error_at, job in cur:
                    state, age = classify(watermark, error_at is not None, now)
                    out.append(
                        TableStatus(
                            namespace=ns,
                            table=name,
                            state=state,
                            last_success_at=success_at,
                            load_kind=kind,
                            until=watermark,
                            age_hours=None if age is None else round(age, 2),
                            rows=rows,
                            last_error=error,
                            last_error_at=error_at,
                            rejected=rejected.get((name, job), 0),
                        )
                    )
    finally:
        conn.close()
    return out


def _rejected_per_job(cur: Any, schema: str) -> dict[tuple[str, str], int]:
    """Rows of ``<schema>._dap_rejects`` per (table, job); empty when the table does not exist
    (no value was ever refused there)."""
    from psycopg2 import sql

    cur.execute(
        "select 1 from information_schema.tables where table_schema = %s and table_name = %s",
        (schema, REJECTS_TABLE),
    )
    if cur.fetchone() is None:
        return {}
    cur.execute(
        sql.SQL("select table_name, job_id, count(*) from {} group by 1, 2").format(
            sql.Identifier(schema, REJECTS_TABLE)
        )
    )
    return {(name, job): int(n) for name, job, n in cur.fetchall()}


def exit_code(statuses: list[TableStatus]) -> int:
    """0 when every table is fresh enough, 1 when any is stale, failing or never loaded.

    Args:
        statuses: output of :func:`collect`.

    Returns:
        The code.
    """
    return 1 if any(s.state in BAD_STATES for s in statuses) else 0


def _time(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def render_text(statuses: list[TableStatus], now: datetime) -> str:
    """A plain-text table, one line per table, then one line per error.

    Args:
        statuses: output of :func:`collect`.
        now: the reference time the ages are measured at.

    Returns:
        The text.
    """
    header = (
        "table",
        "state",
        "last load (UTC)",
        "kind",
        "until (UTC)",
        "age h",
        "rows loaded",
        "rejected",
    )
    lines = [header]
    for s in statuses:
        lines.append(
            (
                s.qualified,
                s.state,
                _time(s.last_success_at),
                s.load_kind or "-",
                _time(s.until),
                "-" if s.age_hours is None else f"{s.age_hours:.1f}",
                "-" if s.rows is None else f"{s.rows:,}",
                f"{s.rejected:,}",
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = []
    for i, row in enumerate(lines):
        cells = [c.rjust(widths[j]) if j >= 5 else c.ljust(widths[j]) for j, c in enumerate(row)]
        out.append("  ".join(cells).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    counts = {state: sum(1 for s in statuses if s.state == state) for state in (OK, WARN)}
    counts.update({state: sum(1 for s in statuses if s.state == state) for state in BAD_STATES})
    out.append("")
    out.append(
        f"{len(statuses)} table(s) at {_time(now)} UTC: "
        + ", ".join(f"{n} {state}" for state, n in counts.items() if n)
        + f" (warn after {FRESHNESS_WARN_HOURS} h, stale after {FRESHNESS_ERROR_HOURS} h)"
    )
    for s in statuses:
        if s.last_error:
            out.append(f"FAILED {s.qualified} at {_time(s.last_error_at)}: {s.last_error}")
    for s in statuses:
        if s.rejected:
            out.append(
                f"REJECTED {s.qualified}: {s.rejected:,} value(s) set NULL in its last load; "
                f"see raw_{s.namespace}.{REJECTS_TABLE}"
            )
    return "\n".join(out)


def render_json(statuses: list[TableStatus], now: datetime) -> str:
    """The same as JSON: ``{"now", "thresholds", "ok", "tables": [...]}``.

    Args:
        statuses: output of :func:`collect`.
        now: the reference time.

    Returns:
        The JSON text.
    """

    def encode(value: Any) -> Any:
        return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value

    tables = [
        {"qualified": s.qualified, **{k: encode(v) for k, v in asdict(s).items()}} for s in statuses
    ]
    return json.dumps(
        {
            "now": encode(now),
            "thresholds": {
                "warn_after_hours": FRESHNESS_WARN_HOURS,
                "error_after_hours": FRESHNESS_ERROR_HOURS,
            },
            "ok": exit_code(statuses) == 0,
            "tables": tables,
        },
        indent=2,
    )
