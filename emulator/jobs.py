"""Query jobs: validation, reuse, object generation into an on-disk cache, expiry.

A job is created from a query (table, snapshot or incremental, format, mode, since/until). The
query is validated against the :class:`~emulator.dataset.Dataset` at once (so errors come back
from the create call), then a worker thread writes the result into object files of at most
``rows_per_object`` rows each. Files live in a cache directory keyed by everything that decides
their bytes (the scenario so far, the table's version token, the query, the object size and the
gzip level), so a repeated query, a reused job or a restarted server with the same state
directory costs nothing. Generation is a three-stage pipeline (dataset batches, encoding,
compression and writing) with small bounded queues between the stages, so memory does not grow
with the table size.

Identical queries while nothing changed return the same job (the real service does the same);
jobs expire after ``job_lifetime`` seconds of wall time and are then 404.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import shutil
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from emulator import formats, poison
from emulator.dataset import Dataset
from emulator.schema import arrow_schema

log = logging.getLogger(__name__)

CACHE_LAYOUT_VERSION = "1"
_END = object()


def rfc3339(ts: datetime) -> str:
    """A tz-aware datetime as RFC 3339 UTC with ``Z`` (microseconds only when non-zero)."""
    ts = ts.astimezone(UTC)
    text = ts.strftime("%Y-%m-%dT%H:%M:%S")
    if ts.microsecond:
        text += f".{ts.microsecond:06d}"
    return text + "Z"


def wall_rfc3339(epoch: float) -> str:
    """Wall-clock epoch seconds as RFC 3339 UTC."""
    return rfc3339(datetime.fromtimestamp(epoch, UTC))


class RWLock:
    """A writer-preferring readers/writer lock whose read side may be released by another thread.

    Query generation holds the read side from job creation until its objects are written;
    scenario changes (advance, schema bump, reload) take the write side.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    def acquire_read(self) -> None:
        """Take the read side (waits while a writer holds or waits for the lock)."""
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1

    def release_read(self) -> None:
        """Release the read side."""
        with self._cond:
            self._readers -= 1
            if self._readers == 0:
                self._cond.notify_all()

    def acquire_write(self) -> None:
        """Take the write side (waits for every reader to finish)."""
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True

    def release_write(self) -> None:
        """Release the write side."""
        with self._cond:
            self._writer = False
            self._cond.notify_all()


@dataclass
class JobSettings:
    """The knobs of job processing (changeable at run time through ``/_emulator/config``).

    Attributes:
        rows_per_object: maximum rows per object file.
        job_polls: status polls before a job reports ``complete``; 0 completes it inside the
            create call.
        job_lifetime: seconds of wall time a job and its objects live.
        gzip_level: zlib level of the text formats.
        tsv_escapes: how TSV writes escapes: ``short`` (as DAP does), ``octal`` or ``hex``
            (:func:`emulator.formats.tsv_escape`).
    """

    rows_per_object: int = 1_000_000
    job_polls: int = 1
    job_lifetime: float = 86_400.0
    gzip_level: int = formats.DEFAULT_GZIP_LEVEL
    tsv_escapes: str = "short"


@dataclass
class ObjectFile:
    """One object of a complete job."""

    name: str
    path: Path
    rows: int
    size: int


@dataclass
class Job:
    """A query job and its result."""

    id: str
    namespace: str
    table: str
    kind: str
    format: str
    mode: str
    cache_key: str
    schema_version: int
    created: float
    expires: float
    polls_required: int
    at: datetime | None = None
    since: datetime | None = None
    until: datetime | None = None
    polls: int = 0
    objects: list[ObjectFile] = field(default_factory=list)
    error: dict[str, str] | None = None
    fail: bool = False
    cached: bool = False
    empty_objects: bool = False
    generation_seconds: float | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def qualified(self) -> str:
        """``namespace.table``."""
        return f"{self.namespace}.{self.table}"

    def expired(self, now: float | None = None) -> bool:
        """Whether the job's lifetime is over."""
        return (time.time() if now is None else now) >= self.expires

    def status(self) -> str:
        """``waiting``, ``running``, ``complete`` or ``failed`` as the client sees it now."""
        if self.polls < self.polls_required:
            return "waiting" if self.polls == 0 else "running"
        if not self.done.is_set():
            return "running"
        return "failed" if (self.error is not None or self.fail) else "complete"

    def object_id(self, obj: ObjectFile) -> str:
        """The DAP object id of one of the job's objects."""
        return f"{self.id}/{obj.name}"

    def to_json(self) -> dict[str, Any]:
        """The DAP ``Job`` body: only the fields the official client accepts."""
        status = self.status()
        body: dict[str, Any] = {"id": self.id, "status": status}
        if status == "waiting":
            return body
        if status == "running":
            body["expires_at"] = wall_rfc3339(self.expires)
            return body
        if status == "failed":
            body["expires_at"] = None
            body["error"] = self.error or {
                "type": "ProcessingError",
                "uuid": str(uuid.uuid4()),
                "message": "Query job failed (injected fault).",
            }
            return body
        body["expires_at"] = wall_rfc3339(self.expires)
        body["objects"] = [{"id": self.object_id(o)} for o in self.objects]
        body["schema_version"] = self.schema_version
        if self.kind == "snapshot":
            assert self.at is not None
            body["at"] = rfc3339(self.at)
        else:
            assert self.since is not None and self.until is not None
            body["since"] = rfc3339(self.since)
            body["until"] = rfc3339(self.until)
        return body

    def describe(self) -> dict[str, Any]:
        """The admin view of the job (``/_emulator/jobs``)."""
        return {
            "id": self.id,
            "namespace": self.namespace,
            "table": self.table,
            "kind": self.kind,
            "format": self.format,
            "mode": self.mode,
            "at": rfc3339(self.at) if self.at else None,
            "since": rfc3339(self.since) if self.since else None,
            "until": rfc3339(self.until) if self.until else None,
            "schema_version": self.schema_version,
            "status": self.status(),
            "generated": self.done.is_set(),
            "cached": self.cached,
            "generation_seconds": self.generation_seconds,
            "failed": self.fail or self.error is not None,
            "expired": self.expired(),
            "created": wall_rfc3339(self.created),
            "expires_at": wall_rfc3339(self.expires),
            "rows": sum(o.rows for o in self.objects),
            "objects": [
                {"id": self.object_id(o), "rows": o.rows, "bytes": o.size} for o in self.objects
            ],
        }


class NoSuchJob(KeyError):
    """Unknown or expired job id."""


class NoSuchObject(KeyError):
    """Unknown or expired object id."""


# --------------------------------------------------------------------------- pipeline


class _Threaded:
    """Iterate ``source`` in a background thread, through a bounded queue."""

    def __init__(self, source: Iterable[Any], maxsize: int, name: str) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize)
        self._stop = threading.Event()
        self._source = source
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for item in self._source:
                if not self._put(("item", item)):
                    return
            self._put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            self._put(("error", exc))

    def __iter__(self) -> Iterator[Any]:
        try:
            while True:
                kind, item = self._queue.get()
                if kind == "end":
                    return
                if kind == "error":
                    raise item
                yield item
        finally:
            self.close()

    def close(self) -> None:
        """Stop the producer thread."""
        self._stop.set()


def _slices(
    batches: Iterable[pa.RecordBatch], rows_per_object: int
) -> Iterator[tuple[int, pa.RecordBatch]]:
    """``(object index, batch slice)`` so that each object holds at most ``rows_per_object``."""
    index, used = 0, 0
    for batch in batches:
        offset = 0
        while offset < batch.num_rows:
            if used == rows_per_object:
                index, used = index + 1, 0
            take = min(batch.num_rows - offset, rows_per_object - used)
            yield index, batch.slice(offset, take)
            offset += take
            used += take


def encoder_threads() -> int:
    """Default number of encoding/compressing threads: the CPUs, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


def write_objects(
    batches: Iterable[pa.RecordBatch],
    schema: pa.Schema,
    fmt: str,
    mode: str,
    directory: Path,
    rows_per_object: int,
    level: int = formats.DEFAULT_GZIP_LEVEL,
    name: Callable[[int], str] | None = None,
    threads: int | None = None,
    escapes: str = "short",
) -> list[tuple[str, int, int]]:
    """Write batches into object files of at most ``rows_per_object`` rows each.

    One thread produces the batches; ``threads`` threads encode them and compress each one as an
    independent deflate piece (text formats) or reshape it (Parquet); this thread writes the
    pieces in order. Queues between the stages are small, so memory stays bounded.

    Args:
        batches: record batches with the flat layout.
        schema: their schema (used for the header).
        fmt: DAP format.
        mode: DAP mode.
        directory: where to put the files.
        rows_per_object: maximum rows per file.
        level: gzip level.
        name: file name of object ``i`` (default ``part-{i:05d}<suffix>``).
        threads: encoder threads (default :func:`encoder_threads`).
        escapes: TSV escape style (:func:`emulator.formats.tsv_escape`).

    Returns:
        ``(file name, rows, bytes)`` per object, in order. No rows, no objects.
    """
    if rows_per_object < 1:
        raise ValueError("rows_per_object must be at least 1")
    suffix = formats.SUFFIXES[fmt]
    naming = name or (lambda i: f"part-{i:05d}{suffix}")
    workers = threads or encoder_threads()

    def encode(index: int, batch: pa.RecordBatch) -> tuple[int, Any, int, bytes | None]:
        if fmt == "parquet":
            return index, formats.to_parquet_batch(batch), batch.num_rows, None
        text = formats.encode_text(batch, fmt, mode, escapes)
        return index, text, batch.num_rows, formats.deflate_chunk(text, level)

    produced = _Threaded(_slices(batches, rows_per_object), 2, "cd2-gen")
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cd2-encode")
    pending: deque[Future[tuple[int, Any, int, bytes | None]]] = deque()
    out: list[tuple[str, int, int]] = []
    writer: formats.ObjectWriter | None = None
    current = -1

    def write_next() -> None:
        nonlocal writer, current
        index, payload, rows, deflated = pending.popleft().result()
        if index != current:
            if writer is not None:
                out.append(_finish(writer))
            current = index
            writer = formats.ObjectWriter(directory / naming(index), schema, fmt, mode, level)
        assert writer is not None
        writer.write_encoded(payload, rows, deflated)

    try:
        for index, batch in produced:
            pending.append(pool.submit(encode, index, batch))
            while len(pending) > workers + 1:
                write_next()
        while pending:
            write_next()
        if writer is not None:
            out.append(_finish(writer))
            writer = None
    except BaseException:
        produced.close()
        for future in pending:
            future.cancel()
        if writer is not None:
            writer.abort()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return out


def _finish(writer: formats.ObjectWriter) -> tuple[str, int, int]:
    rows = writer.close()
    return writer.path.name, rows, writer.path.stat().st_size


# --------------------------------------------------------------------------- cache


class ObjectCache:
    """Object files on disk, one directory per cache key, with a ``manifest.json``.

    A directory is complete once its manifest exists; it is built under a temporary name and
    renamed into place.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def lock(self, key: str) -> threading.Lock:
        """A lock per key, so one key is built once at a time."""
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def directory(self, key: str) -> Path:
        """The directory of a key."""
        return self.root / key

    def load(self, key: str) -> list[ObjectFile] | None:
        """The objects of a complete cache entry, or None."""
        manifest = self.directory(key) / "manifest.json"
        if not manifest.is_file():
            return None
        try:
            data = json.loads(manifest.read_text("utf-8"))
            objects = [
                ObjectFile(o["name"], self.directory(key) / o["name"], o["rows"], o["bytes"])
                for o in data["objects"]
            ]
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("ignoring a damaged cache entry %s", key)
            return None
        if not all(o.path.is_file() and o.path.stat().st_size == o.size for o in objects):
            return None
        return objects

    def build(
        self, key: str, produce: Callable[[Path], list[tuple[str, int, int]]]
    ) -> list[ObjectFile]:
        """Build a cache entry with ``produce(directory)`` unless it exists.

        Returns:
            The entry's objects.
        """
        with self.lock(key):
            found = self.load(key)
            if found is not None:
                return found
            final = self.directory(key)
            tmp = self.root / f".{key}.{uuid.uuid4().hex}.tmp"
            tmp.mkdir(parents=True)
            try:
                made = produce(tmp)
                manifest = {
                    "objects": [{"name": n, "rows": r, "bytes": b} for n, r, b in made],
                }
                (tmp / "manifest.json").write_text(json.dumps(manifest), "utf-8")
                if final.exists():
                    shutil.rmtree(final)
                os.replace(tmp, final)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            return [ObjectFile(n, final / n, r, b) for n, r, b in made]


# --------------------------------------------------------------------------- manager


@dataclass
class QuerySpec:
    """A validated query request."""

    namespace: str
    table: str
    format: str
    mode: str
    since: datetime | None = None
    until: datetime | None = None

    @property
    def kind(self) -> str:
        """``snapshot`` or ``incremental``."""
        return "snapshot" if self.since is None else "incremental"


class JobManager:
    """Creates, runs, reuses and expires jobs.

    Args:
        dataset: the data.
        cache_dir: object cache directory.
        settings: job settings (shared with the server; read at each use).
        lock: the readers/writer lock shared with scenario changes.
        fingerprint: returns a string naming the scenario so far (part of every cache key).
        workers: generation threads.
    """

    def __init__(
        self,
        dataset: Dataset,
        cache_dir: Path,
        settings: JobSettings,
        lock: RWLock,
        fingerprint: Callable[[], str],
        workers: int = 2,
    ) -> None:
        self.dataset = dataset
        self.cache = ObjectCache(cache_dir)
        self.settings = settings
        self.lock = lock
        self.fingerprint = fingerprint
        self._jobs: dict[str, Job] = {}
        self._by_key: dict[str, str] = {}
        self._guard = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="cd2-job")

    def shutdown(self) -> None:
        """Stop the generation threads (running generations finish first)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _cache_key(self, spec: QuerySpec, token: str, point: datetime) -> str:
        parts = {
            "layout": CACHE_LAYOUT_VERSION,
            "scenario": self.fingerprint(),
            "table": f"{spec.namespace}.{spec.table}",
            "token": token,
            "kind": spec.kind,
            "format": spec.format,
            "mode": spec.mode if spec.format in ("tsv", "csv") else "-",
            "since": rfc3339(spec.since) if spec.since else None,
            "point": rfc3339(point),
            "rows_per_object": self.settings.rows_per_object,
            "gzip_level": self.settings.gzip_level if spec.format != "parquet" else None,
        }
        if spec.format == "tsv" and self.settings.tsv_escapes != "short":
            parts["tsv_escapes"] = self.settings.tsv_escapes
        blob = json.dumps(parts, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:32]

    def create(self, spec: QuerySpec, fail: bool = False, alter: Any = None) -> Job:
        """Create (or reuse) the job for a query.

        Args:
            spec: the query.
            fail: make the job end ``failed`` (fault injection; never reused).
            alter: a ``poison`` or ``empty_objects`` fault rule to apply to this job (never
                reused, cached apart).

        Returns:
            The job. With ``job_polls == 0`` it is already finished.

        Raises:
            KeyError: unknown namespace or table.
            emulator.dataset.QueryError: the dataset refuses the query (OutOfRange, ...).
        """
        self.lock.acquire_read()
        handed_off = False
        try:
            table = self.dataset.table(spec.namespace, spec.table)
            if spec.since is None:
                point, batches = self.dataset.snapshot(spec.namespace, spec.table)
            else:
                point, batches = self.dataset.incremental(
                    spec.namespace, spec.table, spec.since, spec.until
                )
            token = self.dataset.version_token(spec.namespace, spec.table)
            key = self._cache_key(spec, token, point)
            schema = arrow_schema(table, incremental=spec.since is not None)
            if alter is not None:
                if alter.kind == "poison":
                    poison.check(schema, spec.format, alter.value_kind, alter.column)
                    batches = poison.poison_batches(
                        batches, spec.format, alter.value_kind, alter.column, alter.rows
                    )
                    schema = poison.poisoned_schema(
                        schema, spec.format, alter.value_kind, alter.column
                    )
                key = hashlib.sha256(f"{key}:{alter.to_dict()}".encode()).hexdigest()[:32]
            now = time.time()
            with self._guard:
                existing = self._reusable(key, now) if not (fail or alter) else None
                if existing is not None:
                    log.info("reusing job %s for %s", existing.id, existing.qualified)
                    return existing
                job = Job(
                    id=str(uuid.uuid4()),
                    namespace=spec.namespace,
                    table=spec.table,
                    kind=spec.kind,
                    format=spec.format,
                    mode=spec.mode,
                    cache_key=key,
                    schema_version=table.version,
                    created=now,
                    expires=now + self.settings.job_lifetime,
                    polls_required=max(0, self.settings.job_polls),
                    at=point if spec.since is None else None,
                    since=spec.since,
                    until=point if spec.since is not None else None,
                    fail=fail,
                )
                self._jobs[job.id] = job
                if not (fail or alter):
                    self._by_key[key] = job.id
            job.empty_objects = alter is not None and alter.kind == "empty_objects"
            rows_per_object = self.settings.rows_per_object
            level = self.settings.gzip_level
            escapes = self.settings.tsv_escapes
            self._pool.submit(self._generate, job, batches, schema, rows_per_object, level, escapes)
            handed_off = True
        finally:
            if not handed_off:
                self.lock.release_read()
        if job.polls_required == 0:
            job.done.wait()
        return job

    def _reusable(self, key: str, now: float) -> Job | None:
        job_id = self._by_key.get(key)
        if job_id is None:
            return None
        job = self._jobs.get(job_id)
        if job is None or job.expired(now) or job.error is not None or job.fail:
            return None
        # The client re-queries when a job expires within 30 s; hand out a fresh one instead.
        if job.expires - now < 60:
            return None
        return job

    def _generate(
        self,
        job: Job,
        batches: Iterator[pa.RecordBatch],
        schema: pa.Schema,
        rows_per_object: int,
        level: int,
        escapes: str = "short",
    ) -> None:
        started = time.monotonic()
        try:
            found = self.cache.load(job.cache_key)
            if found is not None:
                job.cached = True
                objects = found
            else:
                tag = job.cache_key[:16]
                suffix = formats.SUFFIXES[job.format]

                def produce(directory: Path) -> list[tuple[str, int, int]]:
                    return write_objects(
                        batches,
                        schema,
                        job.format,
                        job.mode,
                        directory,
                        rows_per_object,
                        level,
                        name=lambda i: f"part-{i:05d}-{tag}-c000{suffix}",
                        escapes=escapes,
                    )

                objects = self.cache.build(job.cache_key, produce)
            if job.empty_objects:
                extra = self.cache.directory(job.cache_key) / f"empty-{job.id}"
                made = poison.write_empty_objects(
                    extra, schema, job.format, job.mode, job.cache_key[:16]
                )
                objects = list(objects) + [ObjectFile(n, extra / n, r, b) for n, r, b in made]
            job.objects = objects
            job.generation_seconds = round(time.monotonic() - started, 3)
            log.info(
                "job %s %s %s %s: %d objects, %d rows in %.1f s%s",
                job.id,
                job.qualified,
                job.kind,
                job.format,
                len(objects),
                sum(o.rows for o in objects),
                job.generation_seconds,
                " (cached)" if job.cached else "",
            )
        except Exception as exc:  # noqa: BLE001 - reported as a failed job
            log.exception("job %s failed", job.id)
            job.error = {
                "type": "ProcessingError",
                "uuid": str(uuid.uuid4()),
                "message": f"Query job failed: {type(exc).__name__}",
            }
        finally:
            self.lock.release_read()
            job.done.set()

    def get(self, job_id: str) -> Job:
        """A live job.

        Raises:
            NoSuchJob: unknown or expired.
        """
        with self._guard:
            job = self._jobs.get(job_id)
        if job is None or job.expired():
            raise NoSuchJob(job_id)
        return job

    def poll(self, job_id: str, fail: bool = False) -> Job:
        """Count one status poll of a job.

        Args:
            job_id: the job.
            fail: make the job end ``failed`` (fault injection).

        Raises:
            NoSuchJob: unknown or expired.
        """
        job = self.get(job_id)
        with self._guard:
            job.polls += 1
            if fail:
                job.fail = True
                if self._by_key.get(job.cache_key) == job.id:
                    del self._by_key[job.cache_key]
        return job

    def find_object(self, object_id: str) -> tuple[Job, ObjectFile]:
        """The job and file of an object id (``<job id>/<name>``).

        Raises:
            NoSuchObject: unknown object, or its job is unknown, expired or not complete.
        """
        job_id, _, name = object_id.partition("/")
        try:
            job = self.get(job_id)
        except NoSuchJob:
            raise NoSuchObject(object_id) from None
        if not job.done.is_set() or job.error is not None:
            raise NoSuchObject(object_id)
        for obj in job.objects:
            if obj.name == name:
                return job, obj
        raise NoSuchObject(object_id)

    def job_table(self, job_id: str) -> str | None:
        """``namespace.table`` of a job id (expired jobs too), for fault filters."""
        with self._guard:
            job = self._jobs.get(job_id)
        return job.qualified if job else None

    def describe(self) -> list[dict[str, Any]]:
        """Every job emitted, oldest first."""
        with self._guard:
            jobs = list(self._jobs.values())
        return [j.describe() for j in sorted(jobs, key=lambda j: j.created)]
