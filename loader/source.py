"""The dlt source: one append-only resource per CD2 table, with its state. No HTTP code here.

``canvas`` is the ``@dlt.source`` of one DAP namespace; :func:`table_resource` makes each table's
``@dlt.resource`` (append-only, parallelized), whose generator reads the table's resource state
and runs the extract mechanics in :mod:`loader.extract` (job, download, parse, sync-log row).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from loader.config import LoadSettings, dap_client, resolve_credentials
from loader.extract import RunContext, load_table
from loader.schema import table_name_problem


def table_resource(namespace: str, table: str, ctx: RunContext) -> DltResource:
    """The dlt resource of one CD2 table.

    Args:
        namespace: DAP namespace.
        table: CD2 table name (also the resource name; dlt normalizes the table name).
        ctx: the run context.

    Returns:
        An append-only, parallelized resource.
    """

    def records() -> Iterator[Any]:
        # resource_state() is given the name: the generator runs in a dlt worker thread
        state = dlt.current.resource_state(table)
        yield from load_table(namespace, table, ctx, state)

    return dlt.resource(
        records,
        name=table,
        write_disposition="append",
        parallelized=True,
    )


@dlt.source(name="canvas", section="dap", max_table_nesting=0)
def canvas(
    namespace: str = "canvas",
    tables: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    base_url: str | None = dlt.config.value,
    client_id: str | None = dlt.secrets.value,
    client_secret: str | None = dlt.secrets.value,
    format: str = "tsv",  # noqa: A002 - the DAP request field is called format
    mode: str = "condensed",
    force_snapshot: bool = False,
    context: Any | None = None,
) -> list[DltResource]:
    """Canvas Data 2 tables of one DAP namespace, as append-only raw tables.

    Args:
        namespace: DAP namespace (``canvas``, ``canvas_logs``, ``catalog``, ``new_quizzes``).
        tables: tables to load (default: every table the API lists).
        exclude: tables to skip.
        base_url: DAP API base URL (``[sources.dap] base_url`` or ``DAP_API_URL``).
        client_id: OAuth client id (``[sources.dap] client_id`` or ``DAP_CLIENT_ID``).
        client_secret: OAuth client secret (``[sources.dap] client_secret`` or
            ``DAP_CLIENT_SECRET``).
        format: object format to request.
        mode: ``condensed`` or ``expanded``.
        force_snapshot: snapshot every table even when it has a watermark.
        context: a :class:`RunContext` to share a client and report across namespaces (the
            CLI passes one); built from the credentials when None.

    Returns:
        One resource per table.
    """
    if context is None:
        context = RunContext(
            client=dap_client(resolve_credentials(base_url, client_id, client_secret)),
            format=format,
            mode=mode,
            force_snapshot=force_snapshot,
        )
    selection = LoadSettings(tables=tuple(tables or ()), exclude=tuple(exclude or ()))
    available = None if selection.tables else context.client.list_tables(namespace)
    names = selection.tables_for(namespace, available)
    # a name that cannot be a raw table or a folder name gets no resource (the pipeline reports it)
    return [table_resource(namespace, t, context) for t in names if table_name_problem(t) is None]


__all__ = ["canvas", "table_resource"]
