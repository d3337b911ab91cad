"""The ``_dap_rejects`` table: values the loader set NULL because PostgreSQL would refuse them.

One row per refused value (:class:`loader.arrow_io.Reject`), loaded with the job's data in the
same load package, so a reject is recorded exactly when its row is: a rerun that loads the job
again records it again. Query it in the raw schema of the namespace::

    select * from raw_canvas._dap_rejects order by loaded_at desc;
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from loader.arrow_io import Reject

REJECTS_TABLE = "_dap_rejects"

REJECTS_SCHEMA = pa.schema(
    [
        ("table_name", pa.string()),
        ("key", pa.string()),
        ("column_name", pa.string()),
        ("raw_value", pa.string()),
        ("reason", pa.string()),
        ("job_id", pa.string()),
        ("job_seq", pa.int64()),
        ("object_index", pa.int64()),
        ("row_number", pa.int64()),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
    ]
)

_DLT_TYPES = {
    "table_name": "text",
    "key": "json",
    "column_name": "text",
    "raw_value": "text",
    "reason": "text",
    "job_id": "text",
    "job_seq": "bigint",
    "object_index": "bigint",
    "row_number": "bigint",
    "loaded_at": "timestamp",
}


def rejects_columns() -> list[dict[str, Any]]:
    """dlt column hints of the ``_dap_rejects`` table.

    Returns:
        dlt column schemas.
    """
    out: list[dict[str, Any]] = []
    for name, data_type in _DLT_TYPES.items():
        hint: dict[str, Any] = {"name": name, "data_type": data_type, "nullable": True}
        if data_type == "timestamp":
            hint["timezone"] = True
        out.append(hint)
    return out


def rejects_table(
    table: str,
    rejects: Sequence[tuple[int, Reject]],
    job_id: str,
    job_seq: int,
    loaded_at: datetime,
) -> pa.Table:
    """The ``_dap_rejects`` rows of one job.

    Args:
        table: the CD2 table.
        rejects: ``(object index, reject)`` pairs.
        job_id: the DAP job id.
        job_seq: the table's job sequence number.
        loaded_at: the load timestamp (the job's ``_dap_loaded_at``).

    Returns:
        An Arrow table of :data:`REJECTS_SCHEMA`.
    """
    n = len(rejects)
    return pa.Table.from_pydict(
        {
            "table_name": [table] * n,
            "key": [r.key or None for _, r in rejects],
            "column_name": [r.column for _, r in rejects],
            "raw_value": [r.value for _, r in rejects],
            "reason": [r.reason for _, r in rejects],
            "job_id": [job_id] * n,
            "job_seq": [job_seq] * n,
            "object_index": [index for index, _ in rejects],
            "row_number": [r.row for _, r in rejects],
            "loaded_at": [loaded_at] * n,
        },
        schema=REJECTS_SCHEMA,
    )
