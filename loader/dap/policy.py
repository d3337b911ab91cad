"""Retry/backoff policy and the client-side rate limiter: pure logic, no HTTP.

Kept apart from :mod:`loader.dap.client` so both can be unit-tested with a fake clock.

* :class:`RetryPolicy` decides whether and how long to wait before another attempt: exponential
  backoff with jitter, ``Retry-After`` honoured within the request's budget, and a budget of
  attempts *and* elapsed time.
* :class:`RateLimiter` is a sliding-window limiter per endpoint class, shared by every thread of
  the process, with the per-minute limits DAP documents. A 429 pauses that endpoint for all
  threads (:meth:`RateLimiter.defer`).
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# Documented per-minute limits (developerdocs.instructure.com/services/dap/limits-policies).
DAP_RATE_LIMITS: Mapping[str, int] = {
    "list_tables": 5,
    "create_job": 5,
    "get_job": 500,
    "schema": 500,
    "object_url": 200,
}
WINDOW_S = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """When to retry and how long to wait.

    Attributes:
        max_attempts: attempts in total, the first one included.
        initial_delay: backoff before the second attempt (seconds).
        multiplier: growth factor per attempt.
        max_delay: cap on a single backoff (not on ``Retry-After``).
        max_elapsed: give up once this much time has gone by since the first attempt.
        jitter: fraction of each backoff that is random (0 = none, 1 = "full jitter").
    """

    max_attempts: int = 8
    initial_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 30.0
    max_elapsed: float = 600.0
    jitter: float = 0.5

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """The wait after failed attempt number ``attempt`` (1-based), without ``Retry-After``.

        The deterministic part is ``initial_delay * multiplier**(attempt-1)`` capped at
        ``max_delay``; a ``jitter`` fraction of it is replaced by a uniform random amount, so
        concurrent clients spread out.

        Args:
            attempt: the attempt that just failed (1 for the first).
            rng: random source (tests pass a seeded one).

        Returns:
            Seconds to wait, in ``[base * (1 - jitter), base]``.
        """
        base = min(self.max_delay, self.initial_delay * self.multiplier ** max(0, attempt - 1))
        r = (rng or random).random()
        return base * (1.0 - self.jitter) + base * self.jitter * r

    def retry_after_fits(self, elapsed: float, retry_after: float | None) -> bool:
        """Whether a server-requested wait fits in what is left of the time budget.

        A ``Retry-After`` beyond it (a server asking for hours) is not waited for: the request
        fails at once (:class:`loader.dap.errors.RetryAfterTooLong`), and other requests are not
        paused for it.

        Args:
            elapsed: seconds since the first attempt started.
            retry_after: the server's ``Retry-After`` in seconds, if any.

        Returns:
            True when there is no ``Retry-After`` or it ends within ``max_elapsed``.
        """
        return retry_after is None or elapsed + retry_after <= self.max_elapsed

    def next_delay(
        self,
        attempt: int,
        elapsed: float,
        retry_after: float | None = None,
        rng: random.Random | None = None,
    ) -> float | None:
        """How long to wait before the next attempt, or None to give up.

        Args:
            attempt: the attempt that just failed (1-based).
            elapsed: seconds since the first attempt started.
            retry_after: the server's ``Retry-After`` in seconds, if any. It replaces the backoff
                when longer (plus a little jitter, so waiting clients do not return in lockstep).
            rng: random source.

        Returns:
            Seconds to sleep, or None when the attempt or time budget is spent.
        """
        if attempt >= self.max_attempts:
            return None
        delay = self.backoff(attempt, rng)
        if retry_after is not None and retry_after >= 0:
            delay = max(delay, retry_after + (rng or random).random() * min(1.0, self.jitter))
        if elapsed + delay > self.max_elapsed:
            return None
        return delay


def poll_intervals(initial: float = 0.5, factor: float = 2.0, cap: float = 10.0) -> list[float]:
    """The first polling waits for a job (growing, then flat at ``cap``); for docs and tests.

    Args:
        initial: first wait.
        factor: growth per poll.
        cap: longest wait.

    Returns:
        The waits until the cap is reached, with the cap as the last element.
    """
    out = []
    wait = initial
    while wait < cap:
        out.append(wait)
        wait *= factor
    out.append(cap)
    return out


@dataclass
class RateLimiter:
    """Sliding-window rate limiter: at most ``limits[name]`` calls per ``window`` seconds each.

    Thread-safe; one instance is shared by all the threads talking to one DAP service.

    Attributes:
        limits: calls per window per endpoint class; endpoints not listed are unlimited.
        window: window length in seconds.
        clock: monotonic clock (tests inject a fake one).
        sleep: sleep function (tests inject a fake one).
    """

    limits: Mapping[str, int] = field(default_factory=lambda: dict(DAP_RATE_LIMITS))
    window: float = WINDOW_S
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, deque[float]] = {}
        self._paused_until: dict[str, float] = {}

    def reserve(self, name: str) -> float:
        """Claim the next slot for ``name`` and return how long to wait before using it.

        The claim is recorded at the time the caller may proceed, so concurrent callers queue up
        behind each other instead of all waking at once.

        Args:
            name: endpoint class (``create_job``, ``get_job``, …).

        Returns:
            Seconds the caller must wait (0 when a slot is free now).
        """
        limit = self.limits.get(name)
        with self._lock:
            now = self.clock()
            start = max(now, self._paused_until.get(name, 0.0))
            if not limit or limit <= 0:
                return start - now
            calls = self._calls.setdefault(name, deque())
            while calls and calls[0] <= now - self.window:
                calls.popleft()
            if len(calls) >= limit:
                # the slot frees when the call `limit` places back leaves the window
                start = max(start, calls[-limit] + self.window)
            calls.append(start)
            return start - now

    def acquire(self, name: str) -> float:
        """Wait until a call to ``name`` is allowed, then record it.

        Args:
            name: endpoint class.

        Returns:
            Seconds waited.
        """
        wait = self.reserve(name)
        if wait > 0:
            self.sleep(wait)
        return wait

    def defer(self, name: str, seconds: float) -> None:
        """Pause ``name`` for everyone (after a 429 with ``Retry-After``).

        Args:
            name: endpoint class.
            seconds: how long from now.
        """
        with self._lock:
            until = self.clock() + max(0.0, seconds)
            if until > self._paused_until.get(name, 0.0):
                self._paused_until[name] = until


def scaled_limits(scale: float, base: Mapping[str, int] = DAP_RATE_LIMITS) -> dict[str, int]:
    """The documented limits multiplied by ``scale`` (0 or less disables limiting).

    Args:
        scale: multiplier; tests against the emulator use a large one.
        base: the limits to scale.

    Returns:
        Per-endpoint limits.
    """
    if scale <= 0:
        return {}
    return {k: max(1, int(v * scale)) for k, v in base.items()}
