"""Builds and runs the dlt pipelines: one per namespace, into the ``raw_<namespace>`` schema.

A run holds an advisory lock per raw schema in the destination for its whole duration
(:mod:`loader.runlock`): a second run into the same schemas waits (``lock_wait_seconds``) or stops.

For each selected namespace, in order:

1. the state is synchronised with the copy dlt keeps in the database (``_dlt_pipeline_state``),
   then a pending load package from an interrupted run is normalized and loaded, so the state
   committed with it is what the next extract reads;
2. the source extracts the selected tables concurrently (``concurrency`` dlt worker threads)
   into one load package: Arrow batches, the resource states and the sync-log rows;
3. load ``COPY``s the CSV files into PostgreSQL (never row-by-row inserts). With ``csv_direct``
   (the default) the extract writes those CSV files itself, from the parsed Arrow batches, and
   dlt imports them into the package; otherwise the resources yield the Arrow batches and dlt
   writes Parquet at extract time and CSV at normalize time (measured: 40% slower).

dlt's working directories live under ``<state_dir>/pipelines/<destination fingerprint>/``, so
pointing the loader at another database never reuses another database's watermarks.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loader import lake
from loader.arrow_io import ReadOptions
from loader.config import (
    DapCredentials,
    LoadSettings,
    dap_client,
    destination_dsn,
    destination_fingerprint,
    resolve_credentials,
)
from loader.dap.client import DapClient
from loader.dap.errors import DapError, describe
from loader.dap.jobs import shutdown_pools
from loader.destination import job_seq_index_name, job_seq_index_sql, make_destination
from loader.extract import WORK_PREFIX, RunContext, TableAborted, remove_stale_downloads
from loader.redaction import redact_text, register_dsn_secret
from loader.report import FAILED, OK, Progress, RunReport, TableResult
from loader.runlock import RunLock
from loader.schema import SYNC_LOG_TABLE, Widening, table_name_problem
from loader.source import canvas

logger = logging.getLogger(__name__)

# dlt settings the loader relies on, unless the user set them explicitly
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")  # no telemetry, ever
os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")  # do not keep loaded CSV files
os.environ.setdefault("NORMALIZE__DATA_WRITER__DISABLE_COMPRESSION", "true")  # COPYed at once
# CSV files of at most 250k rows: a big table loads with several COPYs in parallel (measured:
# 1M submissions rows 10.8 s with one file, 7.8 s with two, on two cores)
os.environ.setdefault("NORMALIZE__DATA_WRITER__FILE_MAX_ITEMS", "250000")


@dataclass(frozen=True)
class Target:
    """Where a run loads to.

    Attributes:
        dsn: PostgreSQL DSN (empty for a lake).
        embedded: whether it is the embedded warehouse.
        bucket_url: the lake's bucket URL (:mod:`loader.lake`); None: PostgreSQL.
    """

    dsn: str
    embedded: bool
    bucket_url: str | None = None

    @property
    def is_lake(self) -> bool:
        """Whether the run writes Parquet files to a lake (dlt's filesystem destination)."""
        return self.bucket_url is not None

    @property
    def fingerprint(self) -> str:
        """A short, password-free id of the destination (:func:`destination_fingerprint`)."""
        return destination_fingerprint(self.bucket_url if self.bucket_url else self.dsn)


def resolve_target(settings: LoadSettings) -> Target:
    """The configured database, or the embedded warehouse (started on demand).

    Args:
        settings: load settings (``destination``, ``dsn``, ``state_dir``).

    Returns:
        The target.
    """
    if settings.destination == lake.FILESYSTEM:
        url = lake.bucket_url(settings.state_dir)
        if lake.is_local(url):
            lake.local_path(url).mkdir(parents=True, exist_ok=True)
        return Target("", embedded=False, bucket_url=url)
    dsn = destination_dsn(settings.dsn)
    if dsn:
        register_dsn_secret(dsn)
        return Target(dsn, embedded=False)
    from loader.warehouse import EmbeddedWarehouse

    warehouse = EmbeddedWarehouse(settings.state_dir / "warehouse")
    logger.info("no database configured; using the embedded warehouse (%s)", warehouse.directory)
    return Target(warehouse.up(), embedded=True)


def dataset_name(namespace: str) -> str:
    """The PostgreSQL schema of a namespace's raw tables.

    Args:
        namespace: DAP namespace.

    Returns:
        ``raw_<namespace>``.
    """
    return f"raw_{namespace}"


def make_pipeline(
    namespace: str, dsn: str, pipelines_dir: Path, bucket_url: str | None = None
) -> Any:
    """The dlt pipeline of one namespace.

    Args:
        namespace: DAP namespace.
        dsn: PostgreSQL DSN (ignored with ``bucket_url``).
        pipelines_dir: dlt working directories.
        bucket_url: the lake (dlt's filesystem destination); None: PostgreSQL at ``dsn``.

    Returns:
        A ``dlt.Pipeline``.
    """
    import dlt

    destination = (
        lake.make_filesystem_destination(bucket_url)
        if bucket_url is not None
        else make_destination(dsn)
    )
    return dlt.pipeline(
        pipeline_name=f"cd2_{namespace}",
        pipelines_dir=str(pipelines_dir),
        destination=destination,
        dataset_name=dataset_name(namespace),
    )


def _cause(exc: BaseException) -> BaseException:
    """The innermost interesting cause of a dlt step failure."""
    seen: set[int] = set()
    current: BaseException | None = exc
    best: BaseException = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TableAborted | DapError):
            return current
        best = current
        current = current.__cause__ or current.__context__
    return best


def _one_line(exc: BaseException) -> str:
    text = describe(exc)
    return text if len(text) <= 400 else text[:397] + "..."


def _record_failures(dsn: str, namespace: str, results: list[TableResult]) -> None:
    """Write failed sync-log rows straight to the database (when dlt could not load them)."""
    if not results:
        return
    try:
        import psycopg2

        rows = [r.to_row() for r in results]
        columns = list(rows[0])
        table = f'"{dataset_name(namespace)}"."{SYNC_LOG_TABLE}"'
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("select to_regclass(%s)", (f"{dataset_name(namespace)}.{SYNC_LOG_TABLE}",))
            found = cur.fetchone()
            if not found or found[0] is None:
                return
            cur.execute(
                "select column_name from information_schema.columns "
                "where table_schema = %s and table_name = %s",
                (dataset_name(namespace), SYNC_LOG_TABLE),
            )
            existing = {r[0] for r in cur.fetchall()}
            columns = [c for c in columns if c in existing]
            sql = (
                f"insert into {table} ({', '.join(columns)}) "
                f"values ({', '.join(['%s'] * len(columns))})"
            )
            cur.executemany(sql, [[row[c] for c in columns] for row in rows])
        conn.close()
    except Exception as exc:  # noqa: BLE001 - best effort; the CLI still reports the failure
        logger.warning("could not record failures in %s: %s", SYNC_LOG_TABLE, describe(exc))


def index_raw_tables(dsn: str, namespace: str, tables: list[str]) -> None:
    """Make sure raw tables have their BRIN index on ``_dap_job_seq``, summarised.

    The base models' incremental runs read only the jobs they have not processed
    (``_dap_job_seq >`` a marker); without an index every run scans the whole raw table, which
    only grows. The destination creates the index with the table, before the first ``COPY``
    (:func:`loader.destination.job_seq_index_sql`); this covers tables created by earlier
    versions, which had a B-tree index instead: it is dropped.

    The block ranges the load appended are summarised here, so the next dbt run finds its rows
    by the index straight away (an unsummarised range is read whatever its values, and
    autovacuum summarises only when it next visits). That reads the new pages once: measured
    after a 1M-row snapshot, 0.73 s, about what building a B-tree took; after an increment, only
    the increment's pages. The job columns are then analysed (0.15 s on 1M rows): without their
    statistics (autovacuum analyses later) PostgreSQL cannot tell how well the BRIN index
    serves, and the next dbt run read the whole raw table (measured: the current-state model's
    pre-hook took 0.5 s instead of milliseconds).

    Args:
        dsn: PostgreSQL DSN.
        namespace: DAP namespace.
        tables: raw table names (as dlt normalized them); missing tables are skipped.
    """
    import psycopg2
    from psycopg2 import sql

    schema = dataset_name(namespace)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        for table in tables:
            cur.execute("select to_regclass(%s)", (f'"{schema}"."{table}"',))
            found = cur.fetchone()
            if not found or found[0] is None:
                continue
            cur.execute(job_seq_index_sql(schema, table))
            cur.execute(
                sql.SQL("drop index if exists {}.{}").format(
                    sql.Identifier(schema), sql.Identifier(f"{table}__dap_job_seq"[:63])
                )
            )
            cur.execute(
                "select brin_summarize_new_values(%s::regclass)",
                (f'"{schema}"."{job_seq_index_name(table)}"',),
            )
            cur.execute(
                sql.SQL("analyze {}.{} (_dap_job_seq, _dap_load_kind)").format(
                    sql.Identifier(schema), sql.Identifier(table)
                )
            )
    conn.close()


def stored_job_seqs(dsn: str, namespace: str, tables: list[str]) -> dict[str, int]:
    """The highest job sequence number each table has in the database: in raw or the sync log.

    dlt's state (restored from ``_dlt_pipeline_state``) holds the last job sequence of every
    *committed* load. Rows of a load that did not complete (a run killed during the ``COPY``s,
    whose pipelines folder was then lost) are in raw all the same, under a number the state does
    not know: the next job must not take it again. The sync log answers for most tables at once;
    raw is read only above that number, where its BRIN index on ``_dap_job_seq`` skips every block
    range it already summarised.

    Args:
        dsn: PostgreSQL DSN.
        namespace: DAP namespace.
        tables: CD2 table names.

    Returns:
        Table name -> highest ``_dap_job_seq``/``job_seq`` found (tables with none are left out).
    """
    import psycopg2
    from psycopg2 import sql

    from loader.extract import raw_table_name

    schema = dataset_name(namespace)
    found: dict[str, int] = {}
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s)", (f'"{schema}"."{SYNC_LOG_TABLE}"',))
        row = cur.fetchone()
        if row and row[0] is not None:
            cur.execute(
                sql.SQL(
                    "select table_name, max(job_seq) from {}.{} where job_seq is not null "
                    "group by table_name"
                ).format(sql.Identifier(schema), sql.Identifier(SYNC_LOG_TABLE))
            )
            found = {name: int(seq) for name, seq in cur.fetchall() if seq is not None}
        for table in tables:
            raw = raw_table_name(table)
            cur.execute("select to_regclass(%s)", (f'"{schema}"."{raw}"',))
            row = cur.fetchone()
            if not row or row[0] is None:
                continue
            cur.execute(
                sql.SQL("select max(_dap_job_seq) from {}.{} where _dap_job_seq > %s").format(
                    sql.Identifier(schema), sql.Identifier(raw)
                ),
                (found.get(table, -1),),
            )
            row = cur.fetchone()
            if row and row[0] is not None:
                found[table] = int(row[0])
    conn.close()
    return found


def raw_column_types(dsn: str, namespace: str) -> dict[str, dict[str, str]]:
    """The columns of a namespace's raw tables and their types, before a load.

    Args:
        dsn: PostgreSQL DSN.
        namespace: DAP namespace.

    Returns:
        Raw table -> column -> ``information_schema`` data type (empty before the first load).
    """
    import psycopg2

    found: dict[str, dict[str, str]] = {}
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "select table_name, column_name, data_type from information_schema.columns"
            " where table_schema = %s",
            (dataset_name(namespace),),
        )
        for table, column, data_type in cur.fetchall():
            found.setdefault(str(table), {})[str(column)] = str(data_type)
    conn.close()
    return found


def widen_raw_columns(dsn: str, namespace: str, table: str, widenings: list[Widening]) -> None:
    """Alter raw columns to wider types (:func:`loader.schema.reconcile_types`), in one
    transaction, with the session in UTC (a ``date`` becomes midnight UTC).

    Args:
        dsn: PostgreSQL DSN.
        namespace: DAP namespace.
        table: raw table name.
        widenings: the columns and their new types.
    """
    import psycopg2
    from psycopg2 import sql

    changes = [
        sql.SQL("alter column {c} type {t} using {c}::{t}").format(
            c=sql.Identifier(w.column), t=sql.SQL(w.new)
        )
        for w in widenings
    ]
    statement = sql.SQL("alter table {}.{} ").format(
        sql.Identifier(dataset_name(namespace)), sql.Identifier(table)
    ) + sql.SQL(", ").join(changes)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("set local time zone 'UTC'")
        cur.execute(statement)
    conn.close()


def drop_pending(pipeline: Any, namespace: str) -> Any:
    """Drop what an earlier run left pending, and the working directory's copy of the state.

    A package that cannot load (a value that slipped past the loader's checks, or one written by
    an older version) would otherwise fail every later run of its namespace. The state it carries
    was never committed to the database, so the working directory is dropped as a whole
    (``Pipeline.drop``): the next :meth:`sync_destination` reads the state (watermarks, job
    sequence numbers) back from the database, and the dropped jobs' tables load again from there.

    Args:
        pipeline: the namespace's dlt pipeline.
        namespace: DAP namespace (for the log).

    Returns:
        The pipeline to use from now on (a fresh instance when something was dropped).
    """
    pending = list(pipeline.list_extracted_load_packages()) + list(
        pipeline.list_normalized_load_packages()
    )
    if not pending:
        logger.info("%s: no pending load package to drop", namespace)
        return pipeline
    logger.warning(
        "%s: dropping %d pending load package(s) (%s) and the local state; the state is read "
        "from the database again",
        namespace,
        len(pending),
        ", ".join(pending),
    )
    return pipeline.drop()


def _finish_pending(pipeline: Any, namespace: str) -> None:
    """Load what an interrupted run left behind, before extracting anything new."""
    if pipeline.list_extracted_load_packages():
        logger.info("%s: normalizing a package left by an interrupted run", namespace)
        pipeline.normalize()
    if pipeline.list_normalized_load_packages():
        logger.info("%s: loading a package left by an interrupted run", namespace)
        pipeline.load()


def run_namespace(
    namespace: str,
    settings: LoadSettings,
    ctx: RunContext,
    target: Target,
    pipelines_dir: Path,
    listed: dict[str, list[str]],
) -> None:
    """Extract, normalize and load one namespace; results go to ``ctx.report``.

    Args:
        namespace: DAP namespace.
        settings: load settings.
        ctx: shared run context (client, report, progress).
        target: the database.
        pipelines_dir: dlt working directories.
        listed: tables listed per namespace (filled in).
    """
    report = ctx.report
    pipeline = make_pipeline(namespace, target.dsn, pipelines_dir, target.bucket_url)
    if settings.drop_pending:
        pipeline = drop_pending(pipeline, namespace)
    try:
        # The state (watermarks, job sequence numbers) is committed in the database with the
        # data; the local working directory is only a cache of it. Restore it when the database
        # is ahead (or the working directory was lost), as dlt's own run() does.
        pipeline.sync_destination()
    except Exception as exc:  # noqa: BLE001
        report.errors.append(
            f"{namespace}: reading the loader state from the database failed: "
            f"{_one_line(_cause(exc))}"
        )
        return
    try:
        _finish_pending(pipeline, namespace)
    except Exception as exc:  # noqa: BLE001
        report.errors.append(
            f"{namespace}: loading the pending package of an earlier run failed: "
            f"{_one_line(_cause(exc))} (nothing in {namespace} loads until it does; "
            "`cd2 load --drop-pending` drops it, see docs/operations.md)"
        )
        return
    only_qualified = bool(settings.tables) and all("." in t for t in settings.tables)
    try:
        available = None if only_qualified else ctx.client.list_tables(namespace)
    except DapError as exc:
        report.errors.append(f"{namespace}: listing tables failed: {_one_line(exc)}")
        return
    if available is not None:
        listed[namespace] = available
    tables = settings.tables_for(namespace, available)
    refused = []
    for table in list(tables):
        problem = table_name_problem(table)
        if problem is not None:
            tables.remove(table)
            result = TableResult(run_id=report.run_id, namespace=namespace, table=table)
            result.finish(FAILED, problem)
            report.add(result)
            refused.append(result)
            logger.error("%s.%r: %s", namespace, table, problem)
    if not tables:
        logger.info("%s: no tables selected", namespace)
        return
    logger.info("%s: %d table(s) into schema %s", namespace, len(tables), dataset_name(namespace))
    ctx.progress.expect(len(tables))
    try:
        stored = (
            lake.stored_job_seqs(pipeline, tables)
            if target.is_lake
            else stored_job_seqs(target.dsn, namespace, tables)
        )
        for table, seq in stored.items():
            ctx.job_seq_floor[(namespace, table)] = seq
    except Exception as exc:  # noqa: BLE001
        report.errors.append(
            f"{namespace}: reading the job sequence numbers from the database failed: "
            f"{_one_line(exc)}"
        )
        return
    before = len(report.results)
    started = time.monotonic()
    if target.is_lake:
        # Parquet files already written keep their types: no widening (loader.lake)
        ctx.raw_types, ctx.widen_columns = {}, None
    else:
        try:
            ctx.raw_types = raw_column_types(target.dsn, namespace)
        except Exception as exc:  # noqa: BLE001
            report.errors.append(f"{namespace}: reading the raw tables' columns failed: {exc}")
            return
        ctx.widen_columns = lambda ns, table, widenings: widen_raw_columns(
            target.dsn, ns, table, widenings
        )
    source = canvas(namespace=namespace, tables=tables, context=ctx)
    spool_parent = pipelines_dir / "_spool"
    ctx.spool_dir = None
    # a lake gets Parquet files from the Arrow batches, timestamps typed (not text for COPY)
    ctx.text_timestamps = not target.is_lake
    if settings.csv_direct and not target.is_lake:
        # CSV files the extract hands to dlt; dlt hard-links them into the load package, so they
        # live on the same file system and may only go once the extract is over
        spool_parent.mkdir(parents=True, exist_ok=True)
        ctx.spool_dir = Path(
            tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-{namespace}-", dir=spool_parent)
        )
    try:
        pipeline.extract(
            source,
            workers=settings.concurrency,
            max_parallel_items=max(2, settings.concurrency * 2),
            loader_file_format="parquet" if target.is_lake else "csv",
        )
    except Exception as exc:  # noqa: BLE001 - reported per table below
        cause = _cause(exc)
        message = _one_line(cause)
        done = {r.table for r in report.results[before:]}
        aborted = []
        for table in tables:
            if table not in done:
                result = TableResult(run_id=report.run_id, namespace=namespace, table=table)
                result.finish(FAILED, f"not loaded: the extract was aborted ({message})")
                report.add(result)
                aborted.append(result)
        for result in report.results[before:]:
            if result.status != FAILED:
                result.status = FAILED
                result.error = f"not loaded: the extract was aborted ({message})"
                aborted.append(result)
        report.errors.append(f"{namespace}: extract aborted: {message}")
        if not target.is_lake:
            _record_failures(target.dsn, namespace, report.results[before:])
        return
    finally:
        if ctx.spool_dir is not None:
            shutil.rmtree(ctx.spool_dir, ignore_errors=True)
            ctx.spool_dir = None
    extracted = time.monotonic()
    try:
        pipeline.normalize()
        normalized = time.monotonic()
        pipeline.load()
    except Exception as exc:  # noqa: BLE001
        message = _one_line(_cause(exc))
        for result in report.results[before:]:
            if result.status != FAILED:
                result.status = FAILED
                result.error = f"load failed (will be retried on the next run): {message}"
        report.errors.append(f"{namespace}: load failed: {message}")
        return
    loaded = [r.table for r in report.results[before:] if r.status != FAILED]
    if target.is_lake:
        _log_loaded(namespace, len(loaded), len(tables), started, extracted, normalized)
        return
    _record_failures(target.dsn, namespace, refused)  # the sync log exists now
    try:
        naming = pipeline.default_schema.naming
        index_raw_tables(
            target.dsn, namespace, [naming.normalize_table_identifier(t) for t in loaded]
        )
    except Exception as exc:  # noqa: BLE001 - the data is loaded; the run still fails
        report.errors.append(f"{namespace}: indexing the raw tables failed: {_one_line(exc)}")
    _log_loaded(namespace, len(loaded), len(tables), started, extracted, normalized)


def _log_loaded(
    namespace: str, ok: int, total: int, started: float, extracted: float, normalized: float
) -> None:
    logger.info(
        "%s: loaded %d of %d table(s) (extract %.1f s, normalize %.1f s, load %.1f s)",
        namespace,
        ok,
        total,
        extracted - started,
        normalized - extracted,
        time.monotonic() - normalized,
    )


def run(
    settings: LoadSettings,
    credentials: DapCredentials | None = None,
    client: DapClient | None = None,
) -> RunReport:
    """Run a load: every selected namespace, in order.

    Args:
        settings: load settings.
        credentials: DAP credentials (resolved from config when None).
        client: an existing client (tests); built from the credentials when None.

    Returns:
        The run report (check :attr:`RunReport.ok`).

    Raises:
        RunLocked: another run into the same raw schema of this database holds its lock (after
            waiting ``settings.lock_wait_seconds``).
    """
    # everything the run writes (dlt's pipelines folder and load packages, spooled CSVs,
    # downloads) holds institution data: owner-only, whatever the caller's umask
    umask = os.umask(0o077)
    try:
        return _run(settings, credentials, client)
    finally:
        os.umask(umask)


def _run(
    settings: LoadSettings, credentials: DapCredentials | None, client: DapClient | None
) -> RunReport:
    report = RunReport()
    target = resolve_target(settings)
    datasets = [dataset_name(ns) for ns in settings.namespaces]
    # one run at a time per raw schema, for the whole run (raises RunLocked)
    lock: RunLock | lake.LakeRunLock
    if target.is_lake:
        lock_dir = settings.state_dir / "pipelines" / target.fingerprint
        lock = lake.LakeRunLock(lock_dir, datasets, settings.lock_wait_seconds).acquire()
    else:
        lock = RunLock(target.dsn, datasets, settings.lock_wait_seconds).acquire()
    try:
        return _run_locked(settings, report, target, credentials, client)
    finally:
        lock.release()


def _run_locked(
    settings: LoadSettings,
    report: RunReport,
    target: Target,
    credentials: DapCredentials | None,
    client: DapClient | None,
) -> RunReport:
    own_client = client is None
    if client is None:
        client = dap_client(credentials or resolve_credentials(), settings)
    ctx = RunContext(
        client=client,
        report=report,
        progress=Progress(),
        format=settings.format,
        mode=settings.mode,
        force_snapshot=settings.force_snapshot,
        work_dir=settings.work_dir,
        read_options=ReadOptions(block_size=settings.block_size),
        rows_per_file=settings.rows_per_file,
    )
    if settings.work_dir is not None:
        settings.work_dir.mkdir(parents=True, exist_ok=True)
    pipelines_dir = settings.state_dir / "pipelines" / target.fingerprint
    pipelines_dir.mkdir(parents=True, exist_ok=True)
    for folder in (pipelines_dir.parent, pipelines_dir):
        folder.chmod(0o700)  # also closes the folders of runs before umask 077
    removed = remove_stale_downloads(settings.work_dir)
    removed += remove_stale_downloads(pipelines_dir / "_spool")
    if removed:
        logger.info("removed %d download folder(s) of killed runs", removed)
    where = redact_text(target.bucket_url or target.dsn)
    logger.info("run %s: loading into %s", report.run_id, where)
    listed: dict[str, list[str]] = {}
    try:
        for namespace in settings.namespaces:
            run_namespace(namespace, settings, ctx, target, pipelines_dir, listed)
        if len(listed) == len(settings.namespaces):
            for name in settings.unmatched_tables(listed):
                report.errors.append(f"{name}: no such table in {', '.join(settings.namespaces)}")
    finally:
        if own_client:
            client.close()
            shutdown_pools()
    for line in report.failure_lines():
        logger.error("%s", line)
    status = "ok" if report.ok else "failed"
    logger.info(
        "run %s %s: %d table(s), %d failed",
        report.run_id,
        status,
        len(report.results),
        len(report.failed),
    )
    return report


__all__ = ["OK", "Target", "dataset_name", "make_pipeline", "resolve_target", "run"]
