"""Extract mechanics of one CD2 table: job, download, parse, CSV files, loader columns, sync log.

:mod:`loader.source` holds the ``@dlt.source``/``@dlt.resource`` definitions; each table resource
runs :func:`load_table` here. Each table resource, in a dlt worker thread (``parallelized=True``):

1. reads its resource state: ``since`` (the next incremental's start: the last job's ``until``,
   or the snapshot's ``at``) and ``job_seq`` (the last job sequence number used);
2. asks for a snapshot (first run, or ``force_snapshot``) or an incremental since ``since``; on
   ``SnapshotRequired``/``OutOfRange`` it takes a fresh snapshot instead (status ``resnapshot``);
3. downloads every object of the complete job to local disk (``dap.jobs.fetch``) before
   yielding a single row, so a job lands in the load package entirely or not at all;
4. streams each object as Arrow batches with the loader columns added, and hands them to dlt:
   by default written to CSV files that dlt imports into the load package as they are
   (``csv_direct``; one write instead of dlt's Parquet-then-CSV), or as the Arrow tables
   themselves (``csv_direct = false``). With ``csv_direct`` the files are handed over only once
   the whole job parsed, so the gzip streams are verified by the parse itself (not decompressed
   a second time while downloading): a truncated or corrupt object is downloaded again, verified,
   and the job parsed afresh;
5. only then advances ``since`` in the state (dlt commits state in the same load package as the
   data, and loads a pending package before extracting anything new);
6. yields one ``_dap_sync_log`` row (also for failures that happen before any data was yielded).

A failure before the first row is a failed table: logged, recorded in the sync log, the run goes
on. A failure after rows were yielded aborts the whole extract (:class:`TableAborted`), because a
partial snapshot in raw would look like a full state to dbt.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.normalizers.naming.snake_case import NamingConvention as SnakeCaseNaming

from loader.arrow_io import (
    CorruptObjectError,
    ReadOptions,
    Reject,
    read_object,
    rebatch,
    timestamps_as_text,
)
from loader.dap.client import DapClient
from loader.dap.errors import DapError, describe
from loader.dap.jobs import download_again, fetch, is_snapshot_needed
from loader.dap.models import DownloadedObject, QueryRequest, format_timestamp, parse_timestamp
from loader.lake import typed_for_lake
from loader.rejects import REJECTS_TABLE, rejects_columns, rejects_table
from loader.report import FAILED, OK, RESNAPSHOT, Progress, RunReport, TableResult, utcnow
from loader.schema import (
    SYNC_LOG_SCHEMA,
    SYNC_LOG_TABLE,
    TableLayout,
    TypeChangeError,
    Widening,
    check_column_names,
    reconcile_types,
    sync_log_columns,
    table_layout,
)
from loader.spool import BackgroundSpool, CsvSpool

logger = logging.getLogger(__name__)
_NAMING = SnakeCaseNaming()  # dlt's default naming: CSV headers must match the table's columns

SNAPSHOT = "snapshot"
INCREMENTAL = "incremental"
JOB_SEQ_FACTOR = 10**12  # _dap_change_order = job_seq * 10^12 + object * 10^9 + row
OBJECT_FACTOR = 10**9
MAX_OBJECTS = JOB_SEQ_FACTOR // OBJECT_FACTOR
WORK_PREFIX = "cd2-dl-"  # download directories: cd2-dl-<pid>-<table>-<random>


def remove_stale_downloads(directory: Path | None) -> int:
    """Delete download directories left by loader processes that no longer run (SIGKILL).

    Args:
        directory: the work directory (None: the system temp directory).

    Returns:
        How many directories were removed.
    """
    base = Path(directory or tempfile.gettempdir())
    removed = 0
    for path in base.glob(f"{WORK_PREFIX}*"):
        pid_text = path.name[len(WORK_PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
            continue  # that process still runs
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += 1
    return removed


class TableAborted(RuntimeError):
    """A table failed after some of its rows were handed to dlt; the extract must not commit."""


@dataclass
class RunContext:
    """What every table resource of a run shares.

    Attributes:
        client: the DAP client (rate limits, token and download pool are shared through it).
        report: where table results go.
        progress: live progress logging.
        format: object format to request.
        mode: ``condensed`` or ``expanded``.
        force_snapshot: snapshot every table regardless of state.
        work_dir: parent directory for downloaded objects (None: system temp).
        read_options: parser tuning.
        spool_dir: where CSV files wait for dlt to import them (``csv_direct``); it must outlive
            the extract, so the pipeline creates and removes it. None: Arrow items.
        rows_per_file: rows per CSV file (several files load with parallel ``COPY``).
        raw_types: per raw table (as dlt names it), raw column -> PostgreSQL type, read before
            the extract (:func:`loader.schema.reconcile_types`); empty: no raw table yet.
        widen_columns: alters raw columns to wider types (namespace, raw table, widenings);
            the pipeline provides it. None: a type change that needs it fails the table.
        job_seq_floor: per ``(namespace, table)``, the highest job sequence number found in the
            database (raw or sync log); the next job takes a number above both it and the state.
        text_timestamps: render timestamps as UTC text (for CSV and ``COPY``); False keeps them
            typed (Parquet files in a lake).
    """

    client: DapClient
    report: RunReport = field(default_factory=RunReport)
    progress: Progress = field(default_factory=Progress)
    format: str = "tsv"
    mode: str = "condensed"
    force_snapshot: bool = False
    work_dir: Path | None = None
    read_options: ReadOptions = field(default_factory=ReadOptions)
    spool_dir: Path | None = None
    rows_per_file: int = 250_000
    raw_types: dict[str, dict[str, str]] = field(default_factory=dict)
    widen_columns: Callable[[str, str, list[Widening]], None] | None = None
    job_seq_floor: dict[tuple[str, str], int] = field(default_factory=dict)
    text_timestamps: bool = True


def raw_table_name(table: str) -> str:
    """The raw table of a CD2 table, as dlt's naming convention spells it.

    Args:
        table: CD2 table name.

    Returns:
        The PostgreSQL table name.
    """
    return str(_NAMING.normalize_table_identifier(table))


def current_load_id() -> str | None:
    """The id of the dlt load package being extracted (None outside an extract)."""
    try:
        return str(dlt.current.load_package_state()["load_id"])
    except Exception:  # noqa: BLE001 - no package in this context
        return None


def with_loader_columns(
    batch: pa.RecordBatch,
    load_kind: str,
    job_id: str,
    job_seq: int,
    object_index: int,
    first_row: int,
    loaded_at: datetime,
) -> pa.RecordBatch:
    """Append ``_dap_load_kind``, ``_dap_job_id``, ``_dap_job_seq``, ``_dap_change_order`` and
    ``_dap_loaded_at`` to a parsed batch.

    ``_dap_change_order = job_seq * 10^12 + object_index * 10^9 + row``, where ``row`` counts
    from 0 within the object: a strict order of every record the table ever received, even
    where ``meta_ts`` ties (duplicates inside one snapshot, re-delivered boundary records).

    Args:
        batch: a batch from :func:`loader.arrow_io.read_object`.
        load_kind: ``snapshot`` or ``incremental``.
        job_id: the DAP job id.
        job_seq: the table's job sequence number.
        object_index: position of the object in the job.
        first_row: row number (within the object) of the batch's first row.
        loaded_at: the load timestamp.

    Returns:
        The batch with the five columns appended.

    Raises:
        ValueError: the object index or row number overflows its share of the change order.
    """
    n = batch.num_rows
    if object_index >= MAX_OBJECTS or first_row + n > OBJECT_FACTOR:
        raise ValueError(
            f"change order overflow: object {object_index}, row {first_row + n} (max "
            f"{MAX_OBJECTS - 1} objects of {OBJECT_FACTOR:,} rows per job)"
        )
    base = job_seq * JOB_SEQ_FACTOR + object_index * OBJECT_FACTOR + first_row
    ones = pa.repeat(pa.scalar(1, pa.int64()), n)
    order = pc.add(pc.cumulative_sum(ones), pa.scalar(base - 1, pa.int64()))
    arrays = list(batch.columns) + [
        pa.repeat(pa.scalar(load_kind, pa.string()), n),
        pa.repeat(pa.scalar(job_id, pa.string()), n),
        pa.repeat(pa.scalar(job_seq, pa.int64()), n),
        order,
        pa.repeat(pa.scalar(loaded_at, pa.timestamp("us", tz="UTC")), n),
    ]
    names = list(batch.schema.names) + [
        "_dap_load_kind",
        "_dap_job_id",
        "_dap_job_seq",
        "_dap_change_order",
        "_dap_loaded_at",
    ]
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _sync_log_item(result: TableResult) -> Any:
    return dlt.mark.with_hints(
        result.to_arrow(),
        dlt.mark.make_hints(
            table_name=SYNC_LOG_TABLE,
            columns=sync_log_columns(),  # type: ignore[arg-type]
        ),
        create_table_variant=True,
    )


def _sync_log_variant() -> Any:
    """An empty sync-log table that creates the resource's ``_dap_sync_log`` variant.

    dlt starts a table variant from the resource's own hints; yielding this first keeps the data
    table's column hints (set later on the resource itself, for imported files) out of it.
    """
    return dlt.mark.with_hints(
        SYNC_LOG_SCHEMA.empty_table(),
        dlt.mark.make_hints(
            table_name=SYNC_LOG_TABLE,
            columns=sync_log_columns(),  # type: ignore[arg-type]
        ),
        create_table_variant=True,
    )


def _rejects_item(table: pa.Table) -> Any:
    """Rows for ``_dap_rejects`` (an empty table creates the resource's variant of it)."""
    return dlt.mark.with_hints(
        table,
        dlt.mark.make_hints(
            table_name=REJECTS_TABLE,
            columns=rejects_columns(),  # type: ignore[arg-type]
        ),
        create_table_variant=True,
    )


def _file_columns(layout: TableLayout, schema: pa.Schema) -> list[dict[str, Any]]:
    """Column hints for an imported CSV file: the layout's, plus text for unknown columns."""
    hints = layout.dlt_columns()
    known = {h["name"] for h in hints}
    for name in schema.names:
        if name not in known:
            hints.append({"name": name, "data_type": "text", "nullable": True})
    return hints


def _file_item(path: Path, rows: int, layout: TableLayout, schema: pa.Schema) -> Any:
    return dlt.mark.with_file_import(
        str(path),
        "csv",
        rows,
        hints=dlt.mark.make_hints(columns=_file_columns(layout, schema)),  # type: ignore[arg-type]
    )


def _data_item(
    batch: pa.RecordBatch | pa.Table, table: str, layout: TableLayout, first: bool
) -> Any:
    if first:
        return dlt.mark.with_hints(
            batch,
            dlt.mark.make_hints(table_name=table, columns=layout.dlt_columns()),  # type: ignore[arg-type]
            create_table_variant=True,
        )
    return dlt.mark.with_table_name(batch, table)


@dataclass(frozen=True)
class JobStamp:
    """What the loader columns say about every record of one job.

    Attributes:
        load_kind: ``snapshot`` or ``incremental``.
        job_id: the DAP job id.
        job_seq: the table's job sequence number.
        loaded_at: the load timestamp.
    """

    load_kind: str
    job_id: str
    job_seq: int
    loaded_at: datetime


def spool_job(
    objects: Sequence[DownloadedObject],
    directory: Path,
    rows_per_file: int,
    encoded: Callable[[DownloadedObject], Iterator[pa.RecordBatch]],
    on_rows: Callable[[int], None] = lambda n: None,
    download_again: Callable[[DownloadedObject], DownloadedObject] | None = None,
) -> list[tuple[Path, int, pa.Schema]]:
    """Write a whole job to CSV files; download a corrupt object again and start over.

    Parsing and writing overlap (:class:`BackgroundSpool`). The files are returned only when every
    object parsed, so a truncated or corrupt gzip stream (:class:`CorruptObjectError`) found late
    in the job has not reached dlt: the files are deleted, the object is downloaded again (once,
    verified) and the job is parsed afresh.

    Args:
        objects: the job's local files, in job order.
        directory: where the CSV files go (created if missing; emptied before a new attempt).
        rows_per_file: rows per CSV file.
        encoded: an object's batches, loader columns added and timestamps as text.
        on_rows: called with the row count of every batch written (negative when an attempt's
            rows are thrown away).
        download_again: downloads an object again, verified; None: a corrupt object fails.

    Returns:
        The files: ``(path, rows, schema)``, in order.

    Raises:
        CorruptObjectError: an object is still corrupt after downloading it again.
        ParseError: malformed data.
    """
    objects = list(objects)
    redownloaded: set[int] = set()
    while True:
        spool = BackgroundSpool(CsvSpool(directory, rows_per_file, _NAMING.normalize_identifier))
        written = 0
        position = 0
        try:
            for position in range(len(objects)):
                for batch in encoded(objects[position]):
                    spool.write(batch)
                    written += batch.num_rows
                    on_rows(batch.num_rows)
            return spool.close()
        except CorruptObjectError as exc:
            spool.abort()
            shutil.rmtree(directory, ignore_errors=True)
            on_rows(-written)
            if download_again is None or position in redownloaded:
                raise
            redownloaded.add(position)
            logger.warning("%s; downloading it again", exc)
            objects[position] = download_again(objects[position])
        except BaseException:
            spool.abort()
            raise


def job_items(
    objects: Sequence[DownloadedObject],
    table: str,
    layout: TableLayout,
    stamp: JobStamp,
    ctx: RunContext,
    on_rows: Callable[[int], None] = lambda n: None,
    download_again: Callable[[DownloadedObject], DownloadedObject] | None = None,
    rejects: list[tuple[int, Reject]] | None = None,
) -> Iterator[Any]:
    """The dlt items of one downloaded job, in order.

    With ``ctx.spool_dir`` the records go to CSV files of ``ctx.rows_per_file`` rows that dlt
    imports into the load package as they are (file import), handed over once the whole job
    parsed (:func:`spool_job`); otherwise as Arrow tables of about ``yield_rows`` rows that dlt
    writes itself. Either way the loader columns are added and timestamps are rendered as UTC text
    first (for a lake, ``ctx.text_timestamps`` false: kept typed, decimals cast to Parquet
    decimals by :func:`loader.lake.typed_for_lake`). A job without records yields an empty table,
    so the table (and any new column) still exists.

    Args:
        objects: the job's local files, in job order (verified, unless ``ctx.spool_dir`` is set:
            then the parse verifies them). Deleted once parsed.
        table: the CD2 table name (the resource's table).
        layout: the table layout.
        stamp: load kind, job id, job sequence and load time.
        ctx: the run context.
        on_rows: called with the row count of every parsed batch.
        download_again: see :func:`spool_job`.
        rejects: where the values set NULL go, as ``(object index, reject)``; they are yielded
            as ``_dap_rejects`` rows after the job's data. None: such a value fails the table.

    Yields:
        dlt items (file imports or hinted Arrow tables).
    """
    found: list[tuple[int, Reject]] = rejects if rejects is not None else []

    def encoded(obj: DownloadedObject) -> Iterator[pa.RecordBatch]:
        row = 0
        found[:] = [r for r in found if r[0] != obj.index]  # a fresh parse of the object
        mine: list[Reject] | None = [] if rejects is not None else None
        for batch in read_object(obj.path, ctx.format, layout, ctx.read_options, mine):
            if mine:
                found.extend((obj.index, r) for r in mine)
                mine.clear()
            stamped = with_loader_columns(
                layout.conform(batch),
                stamp.load_kind,
                stamp.job_id,
                stamp.job_seq,
                obj.index,
                row,
                stamp.loaded_at,
            )
            yield (
                timestamps_as_text(stamped)
                if ctx.text_timestamps
                else typed_for_lake(stamped, layout)
            )
            row += batch.num_rows

    first = True
    if ctx.spool_dir is not None:  # CSV files straight into the load package
        files = spool_job(
            objects,
            Path(tempfile.mkdtemp(prefix=f"{table}-", dir=ctx.spool_dir)),
            ctx.rows_per_file,
            encoded,
            on_rows,
            download_again,
        )
        for obj in objects:
            Path(obj.path).unlink(missing_ok=True)
        for path, rows, schema in files:
            first = False
            yield _file_item(path, rows, layout, schema)
        if first:
            yield dlt.mark.with_hints(
                layout.arrow_schema().empty_table(),
                dlt.mark.make_hints(columns=layout.dlt_columns()),  # type: ignore[arg-type]
            )
        if found:
            yield _rejects_item(
                rejects_table(table, found, stamp.job_id, stamp.job_seq, stamp.loaded_at)
            )
        return
    # Arrow items: dlt writes Parquet at extract time and CSV at normalize time
    for obj in objects:
        for item in rebatch(encoded(obj), ctx.read_options.yield_rows):
            yield _data_item(item, table, layout, first)
            first = False
            on_rows(item.num_rows)
        Path(obj.path).unlink(missing_ok=True)
    if first:
        yield _data_item(layout.arrow_schema().empty_table(), table, layout, True)
    if found:
        yield _rejects_item(
            rejects_table(table, found, stamp.job_id, stamp.job_seq, stamp.loaded_at)
        )


def fit_to_raw(namespace: str, table: str, layout: TableLayout, ctx: RunContext) -> TableLayout:
    """Fit a served layout to the raw table: widen raw columns where a type changed.

    A column whose served type differs from its raw column's (a new schema version; a column
    first served untyped) keeps loading: the raw column is altered to a type that holds both
    (integer to bigint, to numeric, anything to text), or keeps its type when it already holds
    the new values (text), and the values are cast to it. dlt's schema is told the raw type, so
    its own check (which refuses any type change, for the whole namespace) passes.

    Args:
        namespace: DAP namespace.
        table: CD2 table name.
        layout: the served layout.
        ctx: the run context (``raw_types``, ``widen_columns``).

    Returns:
        The layout to load with.

    Raises:
        TypeChangeError: no PostgreSQL type holds both (this table fails alone).
    """
    raw_table = _NAMING.normalize_table_identifier(table)
    stored = ctx.raw_types.get(raw_table, {})
    fitted, widenings = reconcile_types(layout, stored, _NAMING.normalize_identifier)
    if widenings:
        if ctx.widen_columns is None:
            raise TypeChangeError(f"cannot widen {', '.join(w.column for w in widenings)}")
        ctx.widen_columns(namespace, raw_table, widenings)
        for w in widenings:
            stored[w.column] = w.new
            logger.warning(
                "%s.%s: column %s widened from %s to %s (the served schema changed its type)",
                namespace,
                table,
                w.column,
                w.old,
                w.new,
            )
    if stored:
        _tell_dlt_raw_types(raw_table, fitted)
    return fitted


def _tell_dlt_raw_types(raw_table: str, layout: TableLayout) -> None:
    """Set the data types of dlt's schema for a raw table to the layout's raw types."""
    try:
        schema = dlt.current.source_schema()
    except Exception:  # noqa: BLE001 - outside a dlt extract (unit tests): nothing to tell
        return
    known = schema.tables.get(raw_table, {}).get("columns", {})
    for spec in layout.columns:
        hint = spec.dlt_hint()
        column = known.get(_NAMING.normalize_identifier(spec.name))
        if column is None:
            continue
        for prop in ("data_type", "precision", "timezone"):
            if prop in hint:
                column[prop] = hint[prop]  # type: ignore[literal-required]
            else:
                column.pop(prop, None)  # type: ignore[misc]


def load_table(namespace: str, table: str, ctx: RunContext, state: dict[str, Any]) -> Iterator[Any]:
    """Generate one table's items: data batches, then its sync-log row.

    Args:
        namespace: DAP namespace.
        table: CD2 table name.
        ctx: the run context.
        state: the table's dlt resource state (read and updated).

    Yields:
        dlt-marked Arrow items.

    Raises:
        TableAborted: a failure after data was yielded.
    """
    client = ctx.client
    result = TableResult(run_id=ctx.report.run_id, namespace=namespace, table=table)
    # the sync-log row names the package that carries the job: dbt counts a job's rows only
    # once dlt recorded that package as loaded (_dlt_loads)
    result.load_id = current_load_id()
    progress = ctx.progress
    since_text = state.get("since")
    kind = SNAPSHOT if ctx.force_snapshot or not since_text else INCREMENTAL
    since = parse_timestamp(since_text, "state since") if kind == INCREMENTAL else None
    yielded = False
    if ctx.spool_dir is not None:
        yield _sync_log_variant()
        yield _rejects_item(rejects_table(table, [], "", 0, utcnow()))
    work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-{table}-", dir=ctx.work_dir))
    try:
        versioned = client.get_schema(namespace, table)
        layout = table_layout(namespace, table, versioned)
        check_column_names(layout, _NAMING.normalize_identifier)
        result.load_kind = kind

        def on_bytes(n: int) -> None:
            progress.add(result, nbytes=n)

        request = QueryRequest(format=ctx.format, mode=ctx.mode, since=since)
        if kind == INCREMENTAL:
            progress.event(result, "incremental since %s", since_text)
        else:
            progress.event(result, "snapshot%s", " (forced)" if ctx.force_snapshot else "")
        # with csv_direct the parse verifies the gzip streams (spool_job)
        verify = ctx.spool_dir is None
        try:
            query = fetch(client, namespace, table, request, work, on_bytes, verify_gzip=verify)
        except DapError as exc:
            if kind != INCREMENTAL or not is_snapshot_needed(exc):
                raise
            progress.event(
                result, "%s; taking a fresh snapshot", describe(exc), level=logging.WARNING
            )
            result.status, result.error = RESNAPSHOT, describe(exc)
            kind = result.load_kind = SNAPSHOT
            snapshot = QueryRequest(ctx.format, ctx.mode)
            query = fetch(client, namespace, table, snapshot, work, on_bytes, verify_gzip=verify)
        job = query.job
        if job.schema_version is not None and job.schema_version > layout.version:
            versioned = client.get_schema(namespace, table)
            layout = table_layout(namespace, table, versioned)
            check_column_names(layout, _NAMING.normalize_identifier)
        layout = fit_to_raw(namespace, table, layout, ctx)
        if len(query.objects) > MAX_OBJECTS:
            raise DapError(f"job {job.id} has {len(query.objects)} objects (max {MAX_OBJECTS})")
        # above both the state and what the database holds: rows of a load that never completed
        # keep their number in raw, and the state (restored from the database) does not know it
        stored = ctx.job_seq_floor.get((namespace, table), 0)
        seq = max(int(state.get("job_seq", 0)), stored) + 1
        result.job_id, result.job_seq = job.id, seq
        result.snapshot_at, result.since, result.until = job.at, job.since, job.until
        result.schema_version = job.schema_version or layout.version
        result.objects, result.bytes = len(query.objects), query.bytes
        progress.event(
            result,
            "job %s complete: %d object(s), %.1f MB",
            job.id,
            len(query.objects),
            query.bytes / 1e6,
        )
        loaded_at = utcnow()
        # The sequence number is taken before the first row: rows of a job that fails later
        # never share a number with another job (the state commits with the package or not at
        # all, together with those rows).
        state["job_seq"] = seq
        stamp = JobStamp(kind, job.id, seq, loaded_at)

        def on_rows(n: int) -> None:
            result.rows += n
            progress.add(result, rows=n)

        def again(obj: DownloadedObject) -> DownloadedObject:
            return download_again(client, job, obj, on_bytes)

        refused: list[tuple[int, Reject]] = []
        for item in job_items(
            query.objects, table, layout, stamp, ctx, on_rows, again, rejects=refused
        ):
            yielded = True
            yield item
        if refused:
            first = refused[0][1]
            progress.event(
                result,
                "%d value(s) PostgreSQL would refuse set NULL, recorded in raw_%s.%s "
                "(first: object %d, row %d, column %s: %s)",
                len(refused),
                namespace,
                REJECTS_TABLE,
                refused[0][0],
                first.row + 1,
                first.column,
                first.reason,
                level=logging.WARNING,
            )
        watermark = job.watermark
        if watermark is None:
            raise DapError(f"job {job.id} has neither 'at' nor 'until'")
        state.update(
            since=format_timestamp(watermark),
            schema_version=result.schema_version,
            last_job_id=job.id,
            last_load_kind=kind,
        )
        result.finish()
        progress.event(
            result,
            "%s %s: %s rows in %.1f s",
            kind,
            "loaded" if result.status == OK else f"loaded ({result.status})",
            f"{result.rows:,}",
            result.seconds,
        )
    except GeneratorExit:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes a one-line table error
        message = describe(exc)
        if yielded:
            result.finish(FAILED, f"{message} (after {result.rows:,} rows; run aborted)")
            ctx.report.add(result)
            raise TableAborted(f"{namespace}.{table}: {message}") from exc
        result.finish(FAILED, message)
        progress.event(result, "failed: %s", message, level=logging.ERROR)
        logger.debug("%s.%s failed", namespace, table, exc_info=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ctx.report.add(result)
    yield _sync_log_item(result)
