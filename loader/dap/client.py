"""The DAP Query API over httpx: one method per endpoint, retries and rate limits built in.

Every API call goes through :meth:`DapClient._call`, which

* waits for a slot from the shared :class:`~loader.dap.policy.RateLimiter` (per endpoint class);
* sends ``Authorization: Bearer <token>`` from the :class:`~loader.dap.auth.TokenManager`, which
  logs in on demand and before expiry; a 401 mid-run triggers one re-login and a retry;
* retries 429 (honouring ``Retry-After``, and pausing that endpoint for every thread), 5xx and
  connection errors with exponential backoff and jitter, within a budget of attempts and time,
  then raises :class:`~loader.dap.errors.RetriesExhausted`; a ``Retry-After`` longer than what
  is left of that time budget (``max_retry_seconds``) fails the request at once
  (:class:`~loader.dap.errors.RetryAfterTooLong`) instead of stalling every table that long;
* turns other error responses into the matching :mod:`loader.dap.errors` class; a rejected login
  or an account error (403 ``AccountDisabled``…) makes every later call fail at once.

Object downloads (:meth:`DapClient.download`) use a separate connection pool without the API
token, stream to disk, and verify the result: ``Content-Length`` and, for gzip, a complete
stream. Higher-level job handling (polling, re-resolving URLs, re-requesting jobs) lives in
:mod:`loader.dap.jobs`.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from loader import __version__
from loader.dap.auth import TokenManager
from loader.dap.errors import (
    AccountError,
    AuthenticationError,
    DapApiError,
    DapError,
    DownloadError,
    ObjectExpiredError,
    RateLimitedError,
    RetriesExhausted,
    RetryAfterTooLong,
    ServerError,
    TruncatedDownloadError,
    UnexpectedResponseError,
    describe,
    from_response,
)
from loader.dap.models import Job, QueryRequest, VersionedSchema
from loader.dap.policy import DAP_RATE_LIMITS, RateLimiter, RetryPolicy
from loader.redaction import redact_url, register_secret

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api-gateway.instructure.com"
USER_AGENT = f"cd2-warehouse/{__version__}"
T = TypeVar("T")


@dataclass(frozen=True)
class ClientSettings:
    """Tunables of the HTTP client.

    Attributes:
        base_url: API base URL (a path prefix is kept; a trailing ``/`` is dropped).
        retry: the retry policy for API calls and downloads.
        rate_limits: calls per minute per endpoint class (empty disables client-side limiting).
        connect_timeout: seconds to establish a connection.
        read_timeout: seconds of silence before a read fails (per chunk, not per download).
        download_concurrency: object downloads in flight at once, over all tables.
        url_batch: object ids per ``POST /dap/object/url`` call.
        poll_initial: first wait when polling a job (seconds); doubles each poll …
        poll_max: … up to this.
        job_timeout: give up on a job that has not completed after this many seconds.
        job_attempts: jobs to create for one query before giving up (failed or expired jobs).
    """

    base_url: str = DEFAULT_BASE_URL
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limits: Mapping[str, int] = field(default_factory=lambda: dict(DAP_RATE_LIMITS))
    connect_timeout: float = 30.0
    read_timeout: float = 300.0
    download_concurrency: int = 8
    url_batch: int = 100
    poll_initial: float = 0.5
    poll_max: float = 10.0
    job_timeout: float = 6 * 3600.0
    job_attempts: int = 3


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, httpx.TransportError):
        return True  # connect errors, resets, timeouts, protocol errors
    if isinstance(exc, DapError):
        return exc.retryable
    return False


# Re-logins after a 401 within one API call (see DapClient._call).
MAX_RELOGINS = 3


class DapClient:
    """A thread-safe client for one DAP service.

    Args:
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        settings: tunables.
        limiter: a shared rate limiter (one is created from ``settings.rate_limits`` if None).
        sleep: sleep function (tests may shorten waits).
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        settings: ClientSettings | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or ClientSettings()
        self.base_url = self.settings.base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        register_secret(client_secret)
        register_secret(client_id)
        self.limiter = limiter or RateLimiter(limits=dict(self.settings.rate_limits))
        self._sleep = sleep
        self._rng = random.Random()
        self._rng_lock = threading.Lock()
        timeout = httpx.Timeout(
            self.settings.read_timeout, connect=self.settings.connect_timeout, pool=None
        )
        headers = {
            "User-Agent": USER_AGENT,
            "traceparent": f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01",
        }
        pool = max(10, self.settings.download_concurrency + 4)
        limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
        self._api = httpx.Client(
            headers=headers, timeout=timeout, limits=limits, follow_redirects=False
        )
        self._files = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=timeout,
            limits=limits,
            follow_redirects=True,
        )
        self.tokens = TokenManager(self._login)
        self._fatal: DapApiError | None = None
        self.counters: dict[str, int] = {}
        self._counter_lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the connection pools."""
        self._api.close()
        self._files.close()

    def __enter__(self) -> DapClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _count(self, name: str) -> None:
        with self._counter_lock:
            self.counters[name] = self.counters.get(name, 0) + 1

    # ------------------------------------------------------------------ retry loop

    def with_retries(
        self,
        what: str,
        attempt_fn: Callable[[], T],
        on_retry: Callable[[BaseException], None] | None = None,
        retryable: Callable[[BaseException], bool] = _is_retryable,
    ) -> T:
        """Run ``attempt_fn`` until it succeeds, retrying retryable errors per the policy.

        Args:
            what: description for logs and errors (no credentials).
            attempt_fn: one attempt.
            on_retry: called with the error before each retry (for example to re-resolve a URL).
            retryable: which errors to retry.

        Returns:
            What ``attempt_fn`` returned.

        Raises:
            RetriesExhausted: the budget ran out; ``last_error`` holds the final error.
            DapError: a non-retryable error, as raised.
        """
        policy = self.settings.retry
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return attempt_fn()
            except Exception as exc:  # noqa: BLE001 - classified right below
                if not retryable(exc):
                    if isinstance(exc, DapError):
                        raise
                    raise DownloadError(f"{what}: {describe(exc)}") from exc
                retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
                elapsed = time.monotonic() - started
                if not policy.retry_after_fits(elapsed, retry_after):
                    assert retry_after is not None
                    raise RetryAfterTooLong(
                        what,
                        retry_after,
                        max(0.0, policy.max_elapsed - elapsed),
                        policy.max_elapsed,
                    ) from exc
                with self._rng_lock:
                    delay = policy.next_delay(
                        attempt, time.monotonic() - started, retry_after, self._rng
                    )
                if delay is None:
                    raise RetriesExhausted(what, attempt, exc) from exc
                logger.warning("%s: %s; retry %d in %.1f s", what, describe(exc), attempt, delay)
                self._count("retries")
                if on_retry is not None:
                    on_retry(exc)
                self._sleep(delay)

    # ------------------------------------------------------------------ API calls

    def _login(self) -> str:
        def attempt() -> str:
            self._count("login")
            response = self._api.post(
                f"{self.base_url}/ids/auth/login",
                data={"grant_type": "client_credentials"},
                auth=(self._client_id, self._client_secret),
            )
            body = self._json_or_error(response, "login")
            token = body.get("access_token") if isinstance(body, dict) else None
            if not isinstance(token, str) or not token:
                raise UnexpectedResponseError("login response has no access_token")
            register_secret(token)
            return token

        try:
            return self.with_retries("login", attempt)
        except (AuthenticationError, AccountError) as exc:
            fatal = type(exc)(
                f"login rejected: {exc.message} (check DAP_CLIENT_ID / DAP_CLIENT_SECRET)",
                exc.status,
                type_=exc.type,
                uuid=exc.uuid,
            )
            self._fatal = fatal  # every later call fails at once: no storm of bad logins
            raise fatal from None

    def _json_or_error(self, response: httpx.Response, what: str) -> Any:
        """The JSON body of a success response, or the matching error raised."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            raise from_response(
                response.status_code,
                body,
                _retry_after(response.headers.get("Retry-After")),
                what,
            )
        if body is None:
            raise UnexpectedResponseError(
                f"{what}: expected JSON, got {response.headers.get('Content-Type', 'no type')}"
            )
        return body

    def _call(
        self,
        method: str,
        path: str,
        endpoint: str,
        what: str,
        json_body: Any = None,
    ) -> Any:
        """One API call with auth, rate limiting and retries; returns the JSON body.

        A 401 means the token was revoked or expired early: log in again and repeat the call, up
        to ``MAX_RELOGINS`` times per call (tokens can be revoked again between the new login and
        the repeated call; a rejected login itself stops everything at once).
        """
        relogins = 0

        def attempt() -> Any:
            nonlocal relogins
            if self._fatal is not None:
                raise self._fatal
            token, response = self._send(method, path, endpoint, json_body)
            while response.status_code == 401 and relogins < MAX_RELOGINS:
                relogins += 1
                self.tokens.invalidate(token)
                logger.info("%s: token rejected (HTTP 401); logging in again", what)
                token, response = self._send(method, path, endpoint, json_body)
            if response.status_code == 429:
                # pause the endpoint for every thread, unless the wait is beyond the retry
                # budget: then this request fails (RetryAfterTooLong) and the others ask for
                # themselves instead of stalling for hours
                retry_after = _retry_after(response.headers.get("Retry-After"))
                pause = retry_after if retry_after is not None else 1.0
                if self.settings.retry.retry_after_fits(0.0, pause):
                    self.limiter.defer(endpoint, pause)
            try:
                return self._json_or_error(response, what)
            except AccountError as exc:
                # like the official client: the account cannot use DAP now; stop every table
                self._fatal = exc
                raise

        return self.with_retries(what, attempt)

    def _send(
        self, method: str, path: str, endpoint: str, json_body: Any
    ) -> tuple[str, httpx.Response]:
        """One request with the current token, after its rate-limit slot; returns both."""
        self.limiter.acquire(endpoint)
        token = self.tokens.get()
        self._count(endpoint)
        response = self._api.request(
            method,
            f"{self.base_url}{path}",
            json=json_body,
            headers={"Authorization": f"Bearer {token}"},
        )
        return token, response

    def list_tables(self, namespace: str) -> list[str]:
        """Tables of a namespace (``GET /dap/query/{ns}/table``).

        Args:
            namespace: e.g. ``canvas``.

        Returns:
            Table names as the server lists them.

        Raises:
            DapError: on failure.
        """
        body = self._call(
            "GET", f"/dap/query/{namespace}/table", "list_tables", f"list tables of {namespace}"
        )
        tables = body.get("tables") if isinstance(body, dict) else None
        if not isinstance(tables, list) or not all(isinstance(t, str) for t in tables):
            raise UnexpectedResponseError(f"table list of {namespace} is malformed")
        return list(tables)

    def get_schema(self, namespace: str, table: str) -> VersionedSchema:
        """A table's JSON schema (``GET /dap/query/{ns}/table/{t}/schema``).

        Args:
            namespace: namespace.
            table: table name.

        Returns:
            The versioned schema.

        Raises:
            DapError: on failure.
        """
        body = self._call(
            "GET",
            f"/dap/query/{namespace}/table/{table}/schema",
            "schema",
            f"schema of {namespace}.{table}",
        )
        return VersionedSchema.parse(body)

    def create_job(self, namespace: str, table: str, request: QueryRequest) -> Job:
        """Start a query job (``POST /dap/query/{ns}/table/{t}/data``).

        Args:
            namespace: namespace.
            table: table name.
            request: snapshot or incremental request.

        Returns:
            The job as created (may already be complete).

        Raises:
            DapError: on failure (``SnapshotRequiredError``/``OutOfRangeError`` included).
        """
        kind = "incremental" if request.is_incremental else "snapshot"
        body = self._call(
            "POST",
            f"/dap/query/{namespace}/table/{table}/data",
            "create_job",
            f"{kind} job for {namespace}.{table}",
            json_body=request.body(),
        )
        return Job.parse(body)

    def get_job(self, job_id: str) -> Job:
        """A job's current status (``GET /dap/job/{id}``).

        Args:
            job_id: the job id.

        Returns:
            The job.

        Raises:
            DapError: on failure.
        """
        body = self._call("GET", f"/dap/job/{job_id}", "get_job", f"status of job {job_id}")
        return Job.parse(body)

    def resolve_urls(self, object_ids: Iterable[str]) -> dict[str, str]:
        """Presigned download URLs (``POST /dap/object/url``), batched.

        Args:
            object_ids: object ids of a complete job.

        Returns:
            ``{object id: url}`` for every id asked.

        Raises:
            UnexpectedResponseError: the response left an id out.
            DapError: on failure.
        """
        ids = list(object_ids)
        out: dict[str, str] = {}
        batch = max(1, self.settings.url_batch)
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            body = self._call(
                "POST",
                "/dap/object/url",
                "object_url",
                f"URLs of {len(chunk)} object(s)",
                json_body=[{"id": o} for o in chunk],
            )
            urls = body.get("urls") if isinstance(body, dict) else None
            if not isinstance(urls, dict):
                raise UnexpectedResponseError("object URL response has no 'urls'")
            for o in chunk:
                entry = urls.get(o)
                url = entry.get("url") if isinstance(entry, dict) else None
                if not isinstance(url, str):
                    raise UnexpectedResponseError("object URL response left out an object")
                out[o] = url
        return out

    # ------------------------------------------------------------------ downloads

    def download(
        self,
        url: str,
        dest: Path,
        progress: Callable[[int], None] | None = None,
        verify_gzip: bool = True,
    ) -> int:
        """Download one object to ``dest`` and verify it (one attempt; callers retry).

        Args:
            url: presigned URL (never logged in full).
            dest: file to write (overwritten).
            progress: called with the number of bytes of each chunk received.
            verify_gzip: also decompress a gzip body (discarding the output) to prove the stream
                is complete. Callers that decompress the file anyway and can download it again
                when that fails pass False and save the decompression (``Content-Length`` is
                checked either way).

        Returns:
            Bytes written.

        Raises:
            ObjectExpiredError: HTTP 403/404 (URL or object expired).
            RateLimitedError: HTTP 429.
            ServerError: HTTP 5xx.
            DownloadError: another non-2xx status.
            TruncatedDownloadError: fewer bytes than announced, or an incomplete gzip stream.
            httpx.TransportError: connection problems (retryable).
        """
        shown = redact_url(url)
        self._count("download")
        with self._files.stream("GET", url) as response:
            status = response.status_code
            if status in (403, 404, 410):
                raise ObjectExpiredError(f"object {shown} answered HTTP {status}")
            if status == 429:
                raise RateLimitedError(
                    f"object {shown} answered HTTP 429",
                    status,
                    _retry_after(response.headers.get("Retry-After")),
                )
            if status >= 500:
                raise ServerError(f"object {shown} answered HTTP {status}", status)
            if status >= 300:
                raise DownloadError(f"object {shown} answered HTTP {status}")
            expected = response.headers.get("Content-Length")
            checker = _GzipChecker() if verify_gzip else None
            size = 0
            with dest.open("wb") as out:
                for chunk in response.iter_raw(1024 * 1024):
                    out.write(chunk)
                    size += len(chunk)
                    if checker is not None:
                        checker.feed(chunk)
                    if progress is not None:
                        progress(len(chunk))
        if expected is not None and expected.isdigit() and int(expected) != size:
            raise TruncatedDownloadError(
                f"object {shown}: received {size} of {int(expected)} bytes"
            )
        if checker is not None and not checker.complete():
            raise TruncatedDownloadError(f"object {shown}: gzip stream ends early ({size} bytes)")
        return size


class _GzipChecker:
    """Decompresses a gzip stream on the fly (discarding the output) to prove it is complete.

    Not gzip (for example Parquet): nothing to check beyond the length. Several gzip members
    one after another are accepted.
    """

    _MAGIC = b"\x1f\x8b"

    def __init__(self) -> None:
        self._head = b""
        self._is_gzip: bool | None = None
        self._d: Any = None
        self._error = False

    def feed(self, chunk: bytes) -> None:
        """Check the next chunk of the body."""
        if self._error or not chunk:
            return
        if self._is_gzip is None:
            self._head += chunk
            if len(self._head) < 2:
                return
            self._is_gzip = self._head[:2] == self._MAGIC
            chunk, self._head = self._head, b""
            self._d = zlib.decompressobj(31) if self._is_gzip else None
        if self._d is None:
            return
        try:
            while chunk:
                if self._d.eof:  # the previous member ended: the rest starts a new one
                    self._d = zlib.decompressobj(31)
                self._d.decompress(chunk)
                chunk = self._d.unused_data if self._d.eof else b""
        except zlib.error:
            self._error = True

    def complete(self) -> bool:
        """Whether the body seen so far is a complete object."""
        if self._error:
            return False
        if self._is_gzip is None:
            return len(self._head) == 0  # empty body: complete only if nothing was announced
        if not self._is_gzip:
            return True
        return bool(self._d.eof) and not self._d.unused_data
