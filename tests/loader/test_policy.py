"""Retry/backoff policy and the client-side rate limiter, on a fake clock."""

from __future__ import annotations

import random
import threading

import pytest

from loader.dap.policy import (
    DAP_RATE_LIMITS,
    RateLimiter,
    RetryPolicy,
    poll_intervals,
    scaled_limits,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_backoff_grows_exponentially_within_jitter_bounds() -> None:
    policy = RetryPolicy(initial_delay=0.5, multiplier=2, max_delay=30, jitter=0.5)
    rng = random.Random(1)
    for attempt in range(1, 10):
        base = min(30.0, 0.5 * 2 ** (attempt - 1))
        for _ in range(50):
            d = policy.backoff(attempt, rng)
            assert base * 0.5 <= d <= base


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(initial_delay=1, max_delay=5, jitter=0)
    assert [policy.backoff(a) for a in range(1, 6)] == [1, 2, 4, 5, 5]


def test_jitter_spreads_clients() -> None:
    policy = RetryPolicy(jitter=1.0)
    rng = random.Random(3)
    delays = {round(policy.backoff(4, rng), 6) for _ in range(20)}
    assert len(delays) > 15


def test_attempt_budget() -> None:
    policy = RetryPolicy(max_attempts=3, max_elapsed=1e9)
    assert policy.next_delay(1, 0) is not None
    assert policy.next_delay(2, 0) is not None
    assert policy.next_delay(3, 0) is None


def test_time_budget() -> None:
    policy = RetryPolicy(max_attempts=100, initial_delay=10, jitter=0, max_elapsed=25)
    assert policy.next_delay(1, 0) == 10
    assert policy.next_delay(1, 16) is None  # 16 + 10 > 25


def test_retry_after_is_honoured_even_beyond_the_backoff_cap() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=2, jitter=0.5, max_elapsed=600)
    rng = random.Random(0)
    d = policy.next_delay(1, 0, retry_after=45, rng=rng)
    assert d is not None and 45 <= d <= 46
    # a short Retry-After never shortens our own backoff
    d = policy.next_delay(5, 0, retry_after=0, rng=rng)
    assert d is not None and d >= 1.0


def test_retry_after_beyond_the_time_budget_gives_up() -> None:
    assert RetryPolicy(max_elapsed=60).next_delay(1, 10, retry_after=120) is None


def test_poll_intervals_grow_to_a_cap() -> None:
    assert poll_intervals(0.5, 2, 10) == [0.5, 1, 2, 4, 8, 10]


def test_rate_limiter_allows_the_limit_then_waits_for_the_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limits={"create_job": 5}, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        assert limiter.acquire("create_job") == 0
    waited = limiter.acquire("create_job")
    assert waited == pytest.approx(60)
    # within any 60 s window there are never more than 5 calls
    times = [clock.now]
    for _ in range(12):
        limiter.acquire("create_job")
        times.append(clock.now)
    calls = [1000.0] * 5 + times
    for i, t in enumerate(calls):
        assert sum(1 for u in calls if t <= u < t + 60) <= 5, i


def test_rate_limiter_endpoints_are_independent_and_unlisted_are_free() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limits={"create_job": 1, "get_job": 2}, clock=clock, sleep=clock.sleep)
    assert limiter.reserve("create_job") == 0
    assert limiter.reserve("get_job") == 0
    assert limiter.reserve("get_job") == 0
    assert limiter.reserve("download") == 0
    assert limiter.reserve("create_job") == pytest.approx(60)
    assert limiter.reserve("get_job") == pytest.approx(60)


def test_concurrent_callers_queue_behind_each_other() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limits={"x": 2}, window=10, clock=clock, sleep=lambda s: None)
    waits = sorted(limiter.reserve("x") for _ in range(6))
    assert waits == pytest.approx([0, 0, 10, 10, 20, 20])


def test_defer_pauses_an_endpoint_for_everyone() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limits={}, clock=clock, sleep=clock.sleep)
    limiter.defer("create_job", 7)
    assert limiter.reserve("create_job") == pytest.approx(7)
    assert limiter.reserve("get_job") == 0


def test_rate_limiter_is_thread_safe() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limits={"x": 50}, window=60, clock=clock, sleep=lambda s: None)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            w = limiter.reserve("x")
            with lock:
                waits.append(w)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits).count(0) == 50
    assert max(waits) == pytest.approx(180)  # 200 calls = 4 windows of 50


def test_scaled_limits() -> None:
    assert scaled_limits(1) == dict(DAP_RATE_LIMITS)
    assert scaled_limits(10)["create_job"] == 50
    assert scaled_limits(0) == {}


def test_retry_after_fits_only_within_what_is_left_of_the_budget() -> None:
    policy = RetryPolicy(max_elapsed=600)
    assert policy.retry_after_fits(0, None)
    assert policy.retry_after_fits(0, 600)
    assert not policy.retry_after_fits(0, 7200)  # hours: the request fails instead
    assert not policy.retry_after_fits(500, 120)  # 500 s already spent
