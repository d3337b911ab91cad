"""One error hierarchy for everything the DAP client can raise.

Server-side errors mirror the DAP error types (the ``{"error": {"type", "uuid", "message", …}}``
bodies; see ``shared/reference/dap-protocol.md`` §4.1) and are built by :func:`from_response`.
Client-side errors cover what goes wrong on our side of the wire: downloads that stay broken, jobs
that keep failing, retry budgets that run out, responses we cannot parse.

Messages never contain credentials, tokens or signed URLs: anything that formats a URL goes
through :mod:`loader.redaction` first.
"""

from __future__ import annotations

from typing import Any


class DapError(Exception):
    """Base class of every error the DAP client raises.

    Attributes:
        message: a one-line, credential-free description.
        retryable: whether trying the same request again later may succeed.
    """

    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- server-side errors


class DapApiError(DapError):
    """An error response from the DAP API (HTTP status 400-599).

    Attributes:
        status: the HTTP status code.
        type: the DAP error type (``error.type``), or "" when the body had none.
        uuid: the server's error id, useful when talking to Instructure support.
        details: the other fields of the ``error`` object.
    """

    def __init__(
        self,
        message: str,
        status: int,
        type_: str = "",
        uuid: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.uuid = uuid
        self.details = details or {}

    def __str__(self) -> str:
        kind = self.type or type(self).__name__
        ref = f" (error id {self.uuid})" if self.uuid else ""
        return f"{kind}: {self.message} [HTTP {self.status}]{ref}"


class AuthenticationError(DapApiError):
    """Bad client id or secret, or a token the server no longer accepts (HTTP 401)."""


class AccountError(DapApiError):
    """The account may not use DAP right now (HTTP 403 with an ``Account*`` type)."""


class AccountDisabledError(AccountError):
    """DAP ``AccountDisabled``."""


class AccountNotOnboardedError(AccountError):
    """DAP ``AccountNotOnboarded``."""


class AccountUnderMaintenanceError(AccountError):
    """DAP ``AccountUnderMaintenance``: temporary, but not worth retrying within a run."""


class RequestTypeForbiddenError(AccountError):
    """DAP ``RequestTypeForbidden``."""


class ValidationError(DapApiError):
    """DAP ``ValidationError``: the request was malformed (bad format, mode or timestamps)."""


class NotFoundError(DapApiError):
    """DAP ``NotFound``: unknown namespace, table, job or object.

    Attributes:
        kind: what was not found (``table``, ``job``, ``namespace``, ``object``…), if given.
    """

    @property
    def kind(self) -> str:
        """What was not found, as the server put it."""
        return str(self.details.get("kind", ""))


class OutOfRangeError(DapApiError):
    """DAP ``OutOfRange``: ``since`` is older than the retained history; a snapshot is needed."""


class SnapshotRequiredError(DapApiError):
    """DAP ``SnapshotRequired``: the table was reloaded; only a new snapshot can continue."""


class ProcessingError(DapApiError):
    """DAP ``ProcessingError``: the service could not run the query (for example no data yet)."""


class RateLimitedError(DapApiError):
    """HTTP 429: too many requests. Retried after ``Retry-After``.

    Attributes:
        retry_after: seconds the server asked us to wait, if it said.
    """

    retryable = True

    def __init__(self, message: str, status: int, retry_after: float | None, **kw: Any) -> None:
        super().__init__(message, status, **kw)
        self.retry_after = retry_after


class ServerError(DapApiError):
    """A 5xx response, or an error body that matches no known DAP error type."""

    retryable = True


# --------------------------------------------------------------------------- client-side errors


class DapClientError(DapError):
    """Something went wrong on our side of the wire (base of the client-side errors)."""


class UnexpectedResponseError(DapClientError):
    """A response we cannot interpret (not JSON, missing fields, unknown job status)."""


class DownloadError(DapClientError):
    """An object download failed (bad status, connection reset)."""

    retryable = True


class TruncatedDownloadError(DownloadError):
    """An object arrived incomplete: fewer bytes than ``Content-Length``, or a gzip stream that
    ends early."""


class ObjectExpiredError(DapClientError):
    """An object URL stopped working (HTTP 403/404 from storage); resolve a new URL."""

    retryable = True


class JobFailedError(DapClientError):
    """A query job ended ``failed`` (every re-request too).

    Attributes:
        job_id: the last failed job.
        error_type: the job's ``error.type``.
    """

    def __init__(self, message: str, job_id: str, error_type: str = "") -> None:
        super().__init__(message)
        self.job_id = job_id
        self.error_type = error_type


class JobTimeoutError(DapClientError):
    """A query job did not complete within the configured time."""


class RetriesExhausted(DapClientError):
    """The retry budget (attempts or time) ran out; ``__cause__`` is the last error.

    Attributes:
        attempts: how many attempts were made.
        last_error: the error of the last attempt.
    """

    def __init__(self, what: str, attempts: int, last_error: BaseException) -> None:
        super().__init__(f"{what} failed after {attempts} attempts: {describe(last_error)}")
        self.attempts = attempts
        self.last_error = last_error


class RetryAfterTooLong(DapClientError):
    """The server's ``Retry-After`` asks for a longer wait than the request's retry budget.

    Waiting would stall the table (and, through the shared rate limiter, every table) for that
    long; the request fails at once instead.

    Attributes:
        retry_after: seconds the server asked for.
        budget: seconds of the retry budget that were left.
    """

    def __init__(self, what: str, retry_after: float, budget: float, limit: float) -> None:
        super().__init__(
            f"{what}: the server asked to wait {_duration(retry_after)} (HTTP 429 Retry-After), "
            f"more than the {_duration(budget)} left of the request's retry budget "
            f"(max_retry_seconds = {limit:g}); not waiting"
        )
        self.retry_after = retry_after
        self.budget = budget


def _duration(seconds: float) -> str:
    """``90 s``, ``12.5 min``, ``3.0 h``: a wait in the unit a person reads at a glance."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


# --------------------------------------------------------------------------- parsing


_BY_TYPE: dict[str, type[DapApiError]] = {
    "AuthenticationError": AuthenticationError,
    "AccountDisabled": AccountDisabledError,
    "AccountNotOnboarded": AccountNotOnboardedError,
    "AccountUnderMaintenance": AccountUnderMaintenanceError,
    "RequestTypeForbidden": RequestTypeForbiddenError,
    "ValidationError": ValidationError,
    "NotFound": NotFoundError,
    "OutOfRange": OutOfRangeError,
    "SnapshotRequired": SnapshotRequiredError,
    "ProcessingError": ProcessingError,
    "ServerError": ServerError,
}


def _canonical(type_: str) -> str:
    """``NotFoundError`` and ``NotFound`` both map to ``NotFound`` (likewise for the others)."""
    if type_ in _BY_TYPE:
        return type_
    for key in _BY_TYPE:
        if type_ in (key + "Error", key.removesuffix("Error")):
            return key
    return type_


def error_class(type_: str, status: int) -> type[DapApiError]:
    """The error class for a DAP error type and HTTP status.

    Args:
        type_: the ``error.type`` field ("" when absent).
        status: the HTTP status.

    Returns:
        The most specific class: by type when known, otherwise by status.
    """
    cls = _BY_TYPE.get(_canonical(type_))
    if cls is not None:
        return cls
    if status == 401:
        return AuthenticationError
    if status == 403:
        return AccountError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    if 400 <= status < 500:
        return ValidationError if status in (400, 422) else DapApiError
    return ServerError


def from_response(
    status: int, body: Any, retry_after: float | None = None, what: str = ""
) -> DapApiError:
    """Build the error for an HTTP error response.

    Args:
        status: HTTP status (400-599).
        body: the parsed JSON body (any shape), or None when it was not JSON.
        retry_after: seconds from a ``Retry-After`` header, for 429.
        what: a short description of the request (for example "create job for canvas.users"),
            used when the body has no message. Must not contain credentials.

    Returns:
        An instance of the matching :class:`DapApiError` subclass.
    """
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    type_ = str(error.get("type") or "")
    message = str(error.get("message") or "").strip() or (
        f"{what} returned HTTP {status}" if what else f"HTTP {status}"
    )
    message = " ".join(message.split())  # one line
    uuid = str(error.get("uuid") or "")
    details = {k: v for k, v in error.items() if k not in ("type", "message", "uuid")}
    if status == 429:
        return RateLimitedError(
            message, status, retry_after, type_=type_, uuid=uuid, details=details
        )
    cls = error_class(type_, status)
    if cls is RateLimitedError:  # a 429-ish type on another status: keep it retryable
        return RateLimitedError(
            message, status, retry_after, type_=type_, uuid=uuid, details=details
        )
    err = cls(message, status, type_=type_, uuid=uuid, details=details)
    if status >= 500:
        err.retryable = True  # like the official client: every 5xx is retried, whatever the body
    return err


def describe(exc: BaseException) -> str:
    """A one-line, credential-free description of any exception.

    Args:
        exc: the exception.

    Returns:
        ``str(exc)`` for our own errors; the class name plus a redacted message otherwise.
    """
    from loader.redaction import redact_text

    if isinstance(exc, DapError):
        return " ".join(str(exc).split())
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    return f"{name}: {redact_text(text)}" if text else name
