"""One ``cd2 load`` at a time per raw schema: PostgreSQL session advisory locks.

Two runs loading into the same raw schema at once (cron starting a run while the last one still
runs) would both take the next job sequence number of a table from the same state, and two jobs
would share a ``_dap_job_seq``. A run therefore holds, for its whole duration, one session-level
advisory lock per raw schema it loads, keyed ``(hashtext('cd2-load'), hashtext('raw_<ns>'))``
in the destination database, on a connection of its own. PostgreSQL releases the locks when that
connection ends, also when the process is killed.

A run that finds a lock taken waits up to ``lock_wait_seconds`` (default 0) for it, then stops
with :class:`RunLocked`; the CLI prints one line naming the holder and exits 75 (``EX_TEMPFAIL``).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Self

logger = logging.getLogger(__name__)

LOCK_NAMESPACE = "cd2-load"
APPLICATION_NAME = "cd2 load (run lock)"
POLL_SECONDS = 1.0


class RunLocked(RuntimeError):
    """Another ``cd2 load`` holds the lock of a raw schema of this database."""


def wait_for(
    take: Callable[[], bool],
    wait_seconds: float,
    on_wait: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Try ``take`` until it succeeds or ``wait_seconds`` are over, polling every
    :data:`POLL_SECONDS`; ``on_wait`` is called once, before the first wait.

    Returns:
        Whether ``take`` succeeded.
    """
    deadline = time.monotonic() + wait_seconds
    waited = False
    while not take():
        if time.monotonic() >= deadline:
            return False
        if not waited:
            on_wait()
            waited = True
        sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
    return True


class HeldLock:
    """A lock held until :meth:`release`, usable as a context manager (``with lock: ...``)."""

    def acquire(self) -> Self:  # pragma: no cover - every lock defines it
        raise NotImplementedError

    def release(self) -> None:  # pragma: no cover - every lock defines it
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def waited_text(wait_seconds: float) -> str:
    """The end of a :class:`RunLocked` message: what the run did before giving up."""
    waited = f" after waiting {wait_seconds:g} s" if wait_seconds else ""
    return f"not starting{waited}. Let it finish (or set lock_wait_seconds / --lock-wait to wait)"


class RunLock(HeldLock):
    """The advisory locks of one run, held on their own connection until :meth:`release`.

    Args:
        dsn: the destination database.
        datasets: the raw schemas the run loads (``raw_<namespace>``).
        wait_seconds: how long to wait for a lock another run holds (0: do not wait).
        sleep: sleep function (tests).
    """

    def __init__(
        self,
        dsn: str,
        datasets: Sequence[str],
        wait_seconds: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.dsn = dsn
        self.datasets = sorted(set(datasets))  # one order for every run: no deadlock
        self.wait_seconds = max(0.0, wait_seconds)
        self._sleep = sleep
        self._conn: Any = None

    def acquire(self) -> RunLock:
        """Take every lock, waiting up to ``wait_seconds`` in all.

        Returns:
            Itself.

        Raises:
            RunLocked: a lock is still held by another session when the wait is over.
        """
        import psycopg2

        self._conn = psycopg2.connect(self.dsn, application_name=APPLICATION_NAME)
        self._conn.autocommit = True
        started = time.monotonic()
        try:
            for dataset in self.datasets:
                left = self.wait_seconds - (time.monotonic() - started)
                on_wait = functools.partial(
                    logger.info,
                    "waiting up to %.0f s for another cd2 load into %s to finish",
                    self.wait_seconds,
                    dataset,
                )
                take = functools.partial(self._try, dataset)
                if not wait_for(take, max(0.0, left), on_wait, self._sleep):
                    raise RunLocked(self._message(dataset))
        except BaseException:
            self.release()
            raise
        return self

    def _try(self, dataset: str) -> bool:
        with self._conn.cursor() as cur:
            cur.execute(
                "select pg_try_advisory_lock(hashtext(%s), hashtext(%s))",
                (LOCK_NAMESPACE, dataset),
            )
            row = cur.fetchone()
        return bool(row and row[0])

    def _message(self, dataset: str) -> str:
        holder = ""
        try:
            with self._conn.cursor() as cur:
                cur.execute(
                    "select a.pid, coalesce(host(a.client_addr), 'a local socket'), "
                    "to_char(a.backend_start at time zone 'UTC', "
                    '\'YYYY-MM-DD"T"HH24:MI:SS"Z"\') '
                    "from pg_locks as l join pg_stat_activity as a on a.pid = l.pid "
                    "where l.locktype = 'advisory' and l.granted and l.objsubid = 2 "
                    "and l.classid::bigint = (hashtext(%s)::bigint + 4294967296) %% 4294967296 "
                    "and l.objid::bigint = (hashtext(%s)::bigint + 4294967296) %% 4294967296 "
                    "and l.database = (select oid from pg_database "
                    "where datname = current_database())",
                    (LOCK_NAMESPACE, dataset),
                )
                row = cur.fetchone()
            if row:
                holder = f" (PostgreSQL backend pid {row[0]} from {row[1]}, since {row[2]})"
        except Exception:  # noqa: BLE001 - the message is still clear without the holder
            logger.debug("could not look up the lock holder", exc_info=True)
        return (
            f"another cd2 load is loading into {dataset} of this database{holder}; "
            + waited_text(self.wait_seconds)
        )

    def release(self) -> None:
        """Release the locks (closing the connection releases them too)."""
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


__all__ = ["HeldLock", "RunLock", "RunLocked", "wait_for", "waited_text"]
