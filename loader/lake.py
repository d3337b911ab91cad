"""Raw data in a lake: dlt's ``filesystem`` destination, Parquet files, the same raw layout.

``cd2 load --destination filesystem`` (or ``[sources.dap] destination = "filesystem"``) writes
what the PostgreSQL destination holds in ``raw_<namespace>`` as folders of Parquet files under
the bucket URL: ``<bucket_url>/raw_<namespace>/<table>/<load_id>.<file_id>.parquet``, the same
columns (CD2 key and value fields, ``meta_action``, ``meta_ts``, ``_dap_load_kind``,
``_dap_job_id``, ``_dap_job_seq``, ``_dap_change_order``, ``_dap_loaded_at``), the sync log in
``_dap_sync_log/``, refused values in ``_dap_rejects/``, and dlt's own ``_dlt_loads/`` (a JSON
line per completed load package) and ``_dlt_pipeline_state/`` (the watermarks, committed with
the data). Timestamps are Parquet timestamps in UTC, not text.

The bucket URL is dlt's setting (``DESTINATION__FILESYSTEM__BUCKET_URL`` or
``[destination.filesystem] bucket_url``): any URL dlt supports (``s3://``, ``gs://``, ``az://``,
``file://``, a local path), with its credentials configured the dlt way. Without one the lake
is the local folder ``<state_dir>/lake``.

What differs from PostgreSQL: a run's lock is a lock file in the local state folder (two hosts
writing one bucket are not guarded against each other); a served column type change is not
widened in files already written (a table whose type changes fails, as dlt refuses it).
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from loader.runlock import HeldLock, RunLocked, wait_for, waited_text

logger = logging.getLogger(__name__)

FILESYSTEM = "filesystem"
POSTGRES = "postgres"
DESTINATIONS: tuple[str, ...] = (POSTGRES, FILESYSTEM)
BUCKET_URL_SETTING = "destination.filesystem.bucket_url"


def bucket_url(state_dir: Path) -> str:
    """The lake's bucket URL: dlt's ``destination.filesystem.bucket_url``, else a local folder.

    Args:
        state_dir: the project state directory (the default lake is ``<state_dir>/lake``).

    Returns:
        A URL or an absolute local path.
    """
    value: Any = os.environ.get("DESTINATION__FILESYSTEM__BUCKET_URL")
    if not value:
        try:
            import dlt

            value = dlt.config.get(BUCKET_URL_SETTING)
        except Exception:  # noqa: BLE001 - an unreadable provider counts as "not set"
            value = None
    if isinstance(value, str) and value:
        return value
    return str((state_dir / "lake").resolve())


def is_local(url: str) -> bool:
    """Whether a bucket URL is a local folder (a path or ``file://``).

    Args:
        url: the bucket URL.

    Returns:
        True for local folders.
    """
    return "://" not in url or url.startswith("file://")


def local_path(url: str) -> Path:
    """The folder of a local bucket URL.

    Args:
        url: a local bucket URL (:func:`is_local`).

    Returns:
        The path.
    """
    return Path(url[len("file://") :] if url.startswith("file://") else url)


def make_filesystem_destination(url: str) -> Any:
    """dlt's ``filesystem`` destination at ``url`` (credentials from dlt's configuration).

    Args:
        url: the bucket URL.

    Returns:
        The destination factory.
    """
    from dlt.destinations import filesystem

    return filesystem(bucket_url=url)


DEFAULT_DECIMAL_SCALE = 9  # dlt's default scale, for a decimal whose schema gives none


def decimal_type(spec: Any) -> Any:
    """The Parquet decimal of a CD2 decimal column: 38 digits, the schema's scale.

    PostgreSQL keeps decimals as unconstrained ``numeric``; Parquet (and Spark) need a precision
    and scale: the widest precision, and the scale of the column's ``multipleOf``
    (:func:`loader.schema.decimal_precision`), else :data:`DEFAULT_DECIMAL_SCALE`.

    Args:
        spec: the column's :class:`loader.schema.ColumnSpec`.

    Returns:
        A ``pyarrow.decimal128`` type.
    """
    import pyarrow as pa

    from loader.schema import decimal_precision

    found = decimal_precision(spec.schema)
    scale = found[1] if found is not None else DEFAULT_DECIMAL_SCALE
    return pa.decimal128(38, min(scale, 38))


def typed_for_lake(batch: Any, layout: Any) -> Any:
    """A parsed batch with its decimal columns (exact digits as text) cast to Parquet decimals.

    Args:
        batch: a ``pyarrow.RecordBatch`` of one raw table.
        layout: the table's :class:`loader.schema.TableLayout`.

    Returns:
        The batch, decimals typed (:func:`decimal_type`).
    """
    import pyarrow as pa

    names = batch.schema.names
    columns = list(batch.columns)
    changed = False
    for spec in layout.columns:
        if spec.raw_kind != "decimal" or spec.name not in names:
            continue
        i = names.index(spec.name)
        if pa.types.is_string(columns[i].type) or pa.types.is_large_string(columns[i].type):
            columns[i] = columns[i].cast(decimal_type(spec))
            changed = True
    return pa.RecordBatch.from_arrays(columns, names=names) if changed else batch


class LakeRunLock(HeldLock):
    """One ``cd2 load`` at a time per lake: an exclusive ``flock`` on a file in the state folder.

    The kernel releases it when the process ends, also when it is killed. It guards the runs of
    one host (the host that keeps the pipelines folder); runs on several hosts into one bucket
    need a scheduler that serializes them.

    Args:
        lock_dir: where the lock file lives (the run's pipelines folder).
        datasets: the raw datasets the run writes (for the message).
        wait_seconds: how long to wait for another run (0: do not wait).
    """

    def __init__(self, lock_dir: Path, datasets: Sequence[str], wait_seconds: float = 0.0) -> None:
        self.path = lock_dir / "cd2-load.lock"
        self.datasets = sorted(set(datasets))
        self.wait_seconds = max(0.0, wait_seconds)
        self._file: Any = None

    def _try(self) -> bool:
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def acquire(self) -> LakeRunLock:
        """Take the lock, waiting up to ``wait_seconds``.

        Returns:
            Itself.

        Raises:
            RunLocked: another run holds it when the wait is over.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "a+")  # noqa: SIM115 - held until release()
        if wait_for(self._try, self.wait_seconds):
            return self
        self.release()
        raise RunLocked(
            f"another cd2 load is loading into {', '.join(self.datasets)} of this lake (lock "
            f"file {self.path}); " + waited_text(self.wait_seconds)
        )

    def release(self) -> None:
        """Release the lock."""
        if self._file is not None:
            try:
                self._file.close()
            finally:
                self._file = None


def _max_from_files(fs: Any, files: Sequence[str], column: str) -> int | None:
    """The largest value of an integer column over Parquet files, from their footers'
    statistics (no data page is read); a file without statistics is read for that column."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    best: int | None = None
    for path in files:
        if not path.endswith(".parquet"):
            continue
        with fs.open(path, "rb") as f:
            parquet = pq.ParquetFile(f)
            names = parquet.schema_arrow.names
            if column not in names:
                continue
            index = names.index(column)
            meta = parquet.metadata
            found: int | None = None
            for group in range(meta.num_row_groups):
                chunk = meta.row_group(group).column(index)
                stats = chunk.statistics
                if meta.row_group(group).num_rows == 0:
                    continue
                if stats is None or not stats.has_min_max:
                    values = parquet.read(columns=[column]).column(0)
                    top = pc.max(values).as_py()
                    found = None if top is None else int(top)
                    break
                found = int(stats.max) if found is None else max(found, int(stats.max))
            if found is not None:
                best = found if best is None else max(best, found)
    return best


def stored_job_seqs(pipeline: Any, tables: Sequence[str]) -> dict[str, int]:
    """The highest job sequence number each table has in the lake: in raw or the sync log.

    The lake counterpart of :func:`loader.pipeline.stored_job_seqs`: Parquet files of a load that
    never completed (a run killed between writing files and recording the package) keep their
    numbers, and the next job must not take them again. Read from the files' footers.

    Args:
        pipeline: the namespace's dlt pipeline (after ``sync_destination``).
        tables: CD2 table names.

    Returns:
        Table name -> highest ``_dap_job_seq``/``job_seq`` found (tables with none are left out).
    """
    import pyarrow.parquet as pq

    from loader.extract import raw_table_name
    from loader.schema import SYNC_LOG_TABLE

    try:
        client = pipeline.destination_client()
    except Exception:  # noqa: BLE001 - no schema yet: nothing stored
        return {}
    fs = client.fs_client
    found: dict[str, int] = {}

    def files_of(table: str) -> list[str]:
        folder = client.get_table_dir(table)
        if not fs.isdir(folder):
            return []
        return [str(p) for p in fs.ls(folder, detail=False)]

    log_files = [p for p in files_of(SYNC_LOG_TABLE) if p.endswith(".parquet")]
    for path in log_files:
        with fs.open(path, "rb") as f:
            log = pq.read_table(f, columns=["table_name", "job_seq"]).to_pylist()
        for row in log:
            if row["job_seq"] is not None:
                name = str(row["table_name"])
                found[name] = max(found.get(name, 0), int(row["job_seq"]))
    for table in tables:
        top = _max_from_files(fs, files_of(raw_table_name(table)), "_dap_job_seq")
        if top is not None:
            found[table] = max(found.get(table, 0), top)
    return found


__all__ = [
    "DESTINATIONS",
    "FILESYSTEM",
    "POSTGRES",
    "LakeRunLock",
    "bucket_url",
    "decimal_type",
    "is_local",
    "local_path",
    "make_filesystem_destination",
    "stored_job_seqs",
    "typed_for_lake",
]
