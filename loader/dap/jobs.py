"""Query jobs end to end: create, poll, download every object to disk, verified.

:func:`fetch` is what the dlt source calls for each table. It returns only when every object of a
complete job is on local disk, complete (``Content-Length``) and, unless the caller checks it
while parsing, a whole gzip stream, so that the caller can yield a job's records all-or-nothing.
A caller that finds a bad copy while parsing downloads it again with :func:`download_again`.
Along the way :func:`fetch`

* polls with growing intervals (``poll_initial`` doubling up to ``poll_max``), up to
  ``job_timeout``;
* re-requests a job that ended ``failed`` (except for SnapshotRequired/OutOfRange, which the caller
  handles by taking a snapshot), or whose objects expired, up to ``job_attempts`` jobs;
* resolves object URLs in batches, downloads objects concurrently on a shared, bounded pool, and
  retries each download (connection resets, 5xx, 429, truncated bodies); an expired URL (403/404)
  is resolved again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from loader.dap.client import DapClient
from loader.dap.errors import (
    DapApiError,
    DapError,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    ObjectExpiredError,
    OutOfRangeError,
    RetriesExhausted,
    SnapshotRequiredError,
    UnexpectedResponseError,
    error_class,
)
from loader.dap.models import CompletedQuery, DownloadedObject, Job, QueryRequest

logger = logging.getLogger(__name__)


class ObjectsExpired(DapError):
    """The job's objects are gone (their URLs cannot be resolved or keep failing); the job must
    be requested again."""


_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def download_pool(client: DapClient) -> ThreadPoolExecutor:
    """The download thread pool shared by all tables using ``client``.

    Args:
        client: the DAP client.

    Returns:
        A pool with ``client.settings.download_concurrency`` workers.
    """
    with _pools_lock:
        pool = _pools.get(id(client))
        if pool is None:
            pool = ThreadPoolExecutor(
                max_workers=max(1, client.settings.download_concurrency),
                thread_name_prefix="dap-download",
            )
            _pools[id(client)] = pool
        return pool


def shutdown_pools() -> None:
    """Stop every download pool (at exit)."""
    with _pools_lock:
        for pool in _pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
        _pools.clear()


def _failed_job_error(job: Job, what: str) -> DapError:
    err = job.error
    type_ = err.type if err else ""
    message = err.message if err else "no error details"
    cls = error_class(type_, 400)
    if cls in (SnapshotRequiredError, OutOfRangeError):
        return cls(message, 400, type_=type_, uuid=err.uuid if err else "")
    return JobFailedError(
        f"{what}: job {job.id} failed: {type_ or 'error'}: {message}", job.id, type_
    )


def wait_for_job(
    client: DapClient, job: Job, what: str, sleep: Callable[[float], None] = time.sleep
) -> Job:
    """Poll a job until it is complete or failed.

    Args:
        client: the DAP client.
        job: the job as created.
        what: description for logs ("snapshot of canvas.users").
        sleep: sleep function.

    Returns:
        The finished job (complete or failed).

    Raises:
        JobTimeoutError: not finished within ``job_timeout``.
        DapError: polling failed.
    """
    settings = client.settings
    started = time.monotonic()
    wait = settings.poll_initial
    while job.status in ("waiting", "running"):
        if time.monotonic() - started > settings.job_timeout:
            raise JobTimeoutError(
                f"{what}: job {job.id} still {job.status} after {settings.job_timeout:.0f} s"
            )
        sleep(wait)
        wait = min(settings.poll_max, wait * 2)
        job = client.get_job(job.id)
        logger.debug("%s: job %s is %s", what, job.id, job.status)
    if job.status == "complete" and not job.is_described:
        # a create call that answers "complete" may leave the details to GET /dap/job/{id}
        job = client.get_job(job.id)
        if not job.is_described:
            raise UnexpectedResponseError(
                f"{what}: complete job {job.id} lacks objects or at/until"
            )
    return job


def run_job(
    client: DapClient,
    namespace: str,
    table: str,
    request: QueryRequest,
    sleep: Callable[[float], None] = time.sleep,
) -> Job:
    """Create a job and wait for it; re-request it if it fails.

    Args:
        client: the DAP client.
        namespace: namespace.
        table: table.
        request: the query.
        sleep: sleep function.

    Returns:
        A complete job.

    Raises:
        SnapshotRequiredError: the service wants a snapshot (from the create call or the job).
        OutOfRangeError: ``since`` is too old (likewise).
        JobFailedError: every attempt failed.
        DapError: other API errors.
    """
    kind = "incremental" if request.is_incremental else "snapshot"
    what = f"{kind} of {namespace}.{table}"
    last: DapError | None = None
    for attempt in range(1, max(1, client.settings.job_attempts) + 1):
        job = client.create_job(namespace, table, request)
        logger.debug("%s: created job %s (%s)", what, job.id, job.status)
        job = wait_for_job(client, job, what, sleep)
        if job.status == "complete":
            return job
        error = _failed_job_error(job, what)
        if isinstance(error, SnapshotRequiredError | OutOfRangeError):
            raise error
        last = error
        logger.warning("%s: %s (attempt %d)", what, error, attempt)
    assert last is not None
    raise last


def _download_one(
    client: DapClient,
    job: Job,
    index: int,
    object_id: str,
    url: str,
    directory: Path,
    progress: Callable[[int], None] | None,
    verify_gzip: bool = True,
) -> DownloadedObject:
    dest = directory / f"{index:05d}{_suffix(object_id)}"
    current = {"url": url}

    def attempt() -> int:
        return client.download(current["url"], dest, progress, verify_gzip)

    def on_retry(exc: BaseException) -> None:
        if isinstance(exc, ObjectExpiredError):
            try:
                current["url"] = client.resolve_urls([object_id])[object_id]
            except NotFoundError as nf:
                raise ObjectsExpired(f"object {index} of job {job.id} is gone: {nf}") from nf

    try:
        size = client.with_retries(
            f"download of object {index} of job {job.id}", attempt, on_retry=on_retry
        )
    except RetriesExhausted as exc:
        if isinstance(exc.last_error, ObjectExpiredError):
            raise ObjectsExpired(
                f"object {index} of job {job.id} keeps answering {exc.last_error}"
            ) from exc
        raise
    return DownloadedObject(index=index, object_id=object_id, path=dest, size=size)


def _suffix(object_id: str) -> str:
    name = object_id.rsplit("/", 1)[-1]
    for ext in (".tsv.gz", ".csv.gz", ".json.gz", ".jsonl.gz", ".parquet", ".gz"):
        if name.endswith(ext):
            return ext
    return ".bin"


def download_objects(
    client: DapClient,
    job: Job,
    directory: Path,
    progress: Callable[[int], None] | None = None,
    verify_gzip: bool = True,
) -> list[DownloadedObject]:
    """Download every object of a complete job into ``directory``, concurrently.

    Args:
        client: the DAP client.
        job: a complete job.
        directory: an existing, empty directory.
        progress: called with byte counts as data arrives (from download threads).
        verify_gzip: decompress each gzip object once to prove it complete (see
            :meth:`DapClient.download`).

    Returns:
        The objects in job order.

    Raises:
        ObjectsExpired: an object cannot be resolved or downloaded any more.
        DapError: another failure after retries.
    """
    if not job.objects:
        return []
    try:
        urls = client.resolve_urls(job.objects)
    except NotFoundError as exc:
        raise ObjectsExpired(f"objects of job {job.id} are gone: {exc}") from exc
    pool = download_pool(client)
    futures: list[Future[DownloadedObject]] = [
        pool.submit(_download_one, client, job, i, o, urls[o], directory, progress, verify_gzip)
        for i, o in enumerate(job.objects)
    ]
    results: list[DownloadedObject] = []
    error: BaseException | None = None
    for future in futures:
        try:
            results.append(future.result())
        except BaseException as exc:  # noqa: BLE001 - first error wins, the rest are cancelled
            if error is None:
                error = exc
                for f in futures:
                    f.cancel()
    if error is not None:
        raise error
    return results


def download_again(
    client: DapClient,
    job: Job,
    obj: DownloadedObject,
    progress: Callable[[int], None] | None = None,
) -> DownloadedObject:
    """Download one object of a job again, verified, over its local copy.

    For a copy that turned out truncated or corrupt when it was parsed: the URL is resolved
    afresh (the first one may have expired) and the gzip stream is checked as it arrives.

    Args:
        client: the DAP client.
        job: the object's job.
        obj: the object as first downloaded.
        progress: byte-count callback.

    Returns:
        The object, verified.

    Raises:
        ObjectsExpired: the object is gone.
        DapError: another failure after retries (a stream still truncated after every retry
            is a :class:`TruncatedDownloadError`).
    """
    try:
        url = client.resolve_urls([obj.object_id])[obj.object_id]
    except NotFoundError as exc:
        raise ObjectsExpired(f"object {obj.index} of job {job.id} is gone: {exc}") from exc
    return _download_one(
        client, job, obj.index, obj.object_id, url, obj.path.parent, progress, verify_gzip=True
    )


def fetch(
    client: DapClient,
    namespace: str,
    table: str,
    request: QueryRequest,
    directory: Path,
    progress: Callable[[int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    verify_gzip: bool = True,
) -> CompletedQuery:
    """Run a query and download all of its objects; re-request the job if they expired.

    Args:
        client: the DAP client.
        namespace: namespace.
        table: table.
        request: snapshot or incremental query.
        directory: an existing directory for the downloaded files (emptied between attempts).
        progress: byte-count callback.
        sleep: sleep function.
        verify_gzip: verify each gzip stream while downloading; a caller that passes False
            verifies while parsing and calls :func:`download_again` on a bad copy.

    Returns:
        The completed query with local files (verified with ``verify_gzip``).

    Raises:
        SnapshotRequiredError: the service needs a snapshot.
        OutOfRangeError: ``since`` is too old.
        DapError: anything else that retries did not fix.
    """
    attempts = max(1, client.settings.job_attempts)
    for attempt in range(1, attempts + 1):
        job = run_job(client, namespace, table, request, sleep)
        for leftover in directory.iterdir():
            leftover.unlink()
        try:
            objects = download_objects(client, job, directory, progress, verify_gzip)
        except ObjectsExpired as exc:
            if attempt == attempts:
                raise
            logger.warning("%s.%s: %s; requesting a new job", namespace, table, exc)
            continue
        return CompletedQuery(job=job, objects=objects, attempts=attempt)
    raise UnexpectedResponseError("unreachable")  # pragma: no cover


def is_snapshot_needed(exc: BaseException) -> bool:
    """Whether an error means "take a fresh snapshot of this table".

    Args:
        exc: an error from :func:`fetch`.

    Returns:
        True for SnapshotRequired and OutOfRange.
    """
    return isinstance(exc, SnapshotRequiredError | OutOfRangeError)


__all__ = [
    "DapApiError",
    "ObjectsExpired",
    "download_again",
    "download_objects",
    "fetch",
    "is_snapshot_needed",
    "run_job",
    "wait_for_job",
]
