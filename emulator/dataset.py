"""The emulator's data: a simulated clock, a deterministic change history, and record batches.

This is the contract between the data generator (``emulator/generate/``) and the HTTP layer
(``emulator/server.py``). Everything the DAP endpoints return is computed from here; nothing here
knows about HTTP, file formats or jobs.

Record batches use the flat layout of :func:`emulator.schema.arrow_schema`: ``meta.ts`` (UTC
timestamp), ``meta.action`` (``U``/``D``, incremental only), ``key.<pk>``, ``value.<col>``. Nested
objects are Arrow structs, arrays are Arrow lists. For a delete (``meta.action == 'D'``) every
``value.*`` is null. Batches come in key order and hold at most ``batch_rows`` rows; memory does not
grow with the table size.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pyarrow as pa

from emulator.schema import Catalog, Table


class QueryError(Exception):
    """A query the DAP service would refuse."""


class OutOfRange(QueryError):
    """``since`` is older than the table's retention (DAP ``OutOfRange``)."""

    def __init__(self, message: str, since: datetime, until: datetime | None) -> None:
        super().__init__(message)
        self.since = since
        self.until = until


class SnapshotRequired(QueryError):
    """The table was reloaded after ``since``; only a snapshot can continue (``SnapshotRequired``)."""

    def __init__(self, message: str, since: datetime, until: datetime | None) -> None:
        super().__init__(message)
        self.since = since
        self.until = until


class InvalidRange(QueryError):
    """``since``/``until`` make no sense (``until`` before ``since``, or after the clock)."""


__all__ = ["Catalog", "Table", "QueryError", "OutOfRange", "SnapshotRequired", "InvalidRange",
           "pa", "Iterator", "datetime"]
