"""The DAP emulator's HTTP server: the DAP Query API, object downloads and admin routes.

Routes (dap-protocol.md section 2), after collapsing repeated slashes:

================================================  ============================================
``POST /ids/auth/login``                          Basic auth; returns a JWT access token
``GET  /dap/query/{ns}/table``                    ``{"tables": [...]}``
``GET  /dap/query/{ns}/table/{t}/schema``         ``{"version", "schema"}``
``POST /dap/query/{ns}/table/{t}/data``           creates (or reuses) a query job
``GET  /dap/job/{id}``                            job status
``POST /dap/object/url``                          ``[{"id"}, ...]`` to presigned URLs
``GET  /objects/{job id}/{name}?expires=&sig=``   the object (no auth; single-member gzip, or a
                                                  plain Parquet file)
``/_emulator/...``                                admin routes (no auth), see :class:`Emulator`
================================================  ============================================

API calls accept ``Authorization: Bearer <token>`` and ``x-instauth: <token>``; JSON bodies are
parsed whatever their Content-Type. Requests to the DAP routes without a ``User-Agent`` get 403
``RequestTypeForbidden``. Every API response is ``application/json``; error bodies are
``{"error": {"type", "uuid", "message", ...}}``.

Nothing here logs tokens, Authorization headers, client secrets or signed URLs: the access log
names the route and the status only.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import math
import re
import secrets
import shutil
import socket
import struct
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from emulator import formats
from emulator.auth import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    SCOPE,
    TokenError,
    TokenIssuer,
    parse_basic,
)
from emulator.dataset import (
    Dataset,
    InvalidRange,
    OutOfRange,
    QueryError,
    SnapshotRequired,
)
from emulator.faults import FaultError, FaultRule, FaultSet
from emulator.jobs import (
    JobManager,
    JobSettings,
    NoSuchJob,
    NoSuchObject,
    QuerySpec,
    RWLock,
    rfc3339,
)
from emulator.poison import PoisonError
from emulator.schema import arrow_schema, json_schema

log = logging.getLogger(__name__)

ADMIN_PREFIX = "/_emulator/"
OBJECT_PREFIX = "/objects/"
CHUNK = 1 << 20
API_ROUTES = ("login", "list_tables", "schema", "create_job", "get_job", "object_url")


@dataclass
class Settings:
    """Everything the emulator can be configured with.

    ``token_lifetime``, ``url_lifetime``, ``job_lifetime``, ``job_polls``, ``rows_per_object``,
    ``retry_after``, ``gzip_level`` and ``tsv_escapes`` can also be changed at run time
    (``/_emulator/config``).
    """

    host: str = "127.0.0.1"
    port: int = 8765
    seed: int = 1
    scale: str = "small"
    rows: dict[str, int] = field(default_factory=dict)
    state_dir: Path | None = None
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    token_lifetime: float = 3600.0
    url_lifetime: float = 900.0
    job_lifetime: float = 86_400.0
    job_polls: int = 1
    rows_per_object: int = 1_000_000
    retry_after: int = 2
    gzip_level: int = formats.DEFAULT_GZIP_LEVEL
    tsv_escapes: str = "short"
    batch_rows: int = 65_536
    workers: int = 4


RUNTIME_KEYS = {
    "token_lifetime": float,
    "url_lifetime": float,
    "job_lifetime": float,
    "job_polls": int,
    "rows_per_object": int,
    "retry_after": int,
    "gzip_level": int,
    "tsv_escapes": str,
}


class ApiError(Exception):
    """An error answered with a DAP error body."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.extra = extra
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The ``{"error": {...}}`` body."""
        return error_body(self.type, self.message, **self.extra)


def error_body(type_: str, message: str, **extra: Any) -> dict[str, Any]:
    """A DAP error body ``{"error": {"type", "uuid", "message", ...}}``."""
    return {"error": {"type": type_, "uuid": str(uuid.uuid4()), "message": message, **extra}}


def not_found(kind: str, id_: str, message: str | None = None) -> ApiError:
    """404 ``NotFound`` with ``id`` and ``kind``."""
    return ApiError(404, "NotFound", message or f"No {kind} {id_!r} found.", id=id_, kind=kind)


def validation(message: str, line: int = 1, column: int = 1, character: int = 1) -> ApiError:
    """400 ``ValidationError`` with a ``location``."""
    location = {"line": line, "column": column, "character": character}
    return ApiError(400, "ValidationError", message, location=location)


def parse_timestamp(value: Any, name: str) -> datetime:
    """An RFC 3339 timestamp with an offset (``Z`` or ``+hh:mm``).

    Raises:
        ApiError: a ValidationError.
    """
    if not isinstance(value, str):
        raise validation(f"'{name}' must be an RFC 3339 date-time string.")
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        raise validation(f"'{name}' is not a valid RFC 3339 date-time: {value!r}.") from None
    if ts.tzinfo is None:
        raise validation(f"'{name}' must include a time zone offset (e.g. Z).")
    return ts


_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"^/ids/auth/login$"), "login"),
    ("GET", re.compile(r"^/dap/query/(?P<ns>[^/]+)/table$"), "list_tables"),
    ("GET", re.compile(r"^/dap/query/(?P<ns>[^/]+)/table/(?P<table>[^/]+)/schema$"), "schema"),
    ("POST", re.compile(r"^/dap/query/(?P<ns>[^/]+)/table/(?P<table>[^/]+)/data$"), "create_job"),
    ("GET", re.compile(r"^/dap/job/(?P<job>[^/]+)$"), "get_job"),
    ("POST", re.compile(r"^/dap/object/url$"), "object_url"),
    ("GET", re.compile(r"^/objects/(?P<job>[^/]+)/(?P<name>[^/]+)$"), "download"),
]


def code_fingerprint() -> str:
    """A hash of the emulator's source files, so a persistent cache never outlives the code."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")) + sorted(root.rglob("*.json")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


class Emulator:
    """The emulator's state: dataset, tokens, faults, jobs, counters; and the HTTP server.

    Args:
        settings: configuration.
        dataset: a dataset to serve (default: built from the settings).
    """

    def __init__(self, settings: Settings, dataset: Dataset | None = None) -> None:
        self.settings = settings
        self.dataset = dataset or Dataset(
            seed=settings.seed,
            scale=settings.scale,
            rows=settings.rows or None,
            batch_rows=settings.batch_rows,
        )
        self.tokens = TokenIssuer(
            settings.client_id, settings.client_secret, settings.token_lifetime
        )
        self.faults = FaultSet(settings.seed)
        self.lock = RWLock()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if settings.state_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="cd2-emulator-")
            self.state_dir = Path(self._tmp.name)
        else:
            self.state_dir = Path(settings.state_dir)
            self.state_dir.mkdir(parents=True, exist_ok=True)
        self.job_settings = JobSettings(
            rows_per_object=settings.rows_per_object,
            job_polls=settings.job_polls,
            job_lifetime=settings.job_lifetime,
            gzip_level=settings.gzip_level,
            tsv_escapes=settings.tsv_escapes,
        )
        self._scenario: list[Any] = [
            {
                "code": code_fingerprint(),
                "seed": self.dataset.seed,
                "scale": str(settings.scale),
                "rows": settings.rows,
                "batch_rows": settings.batch_rows,
            }
        ]
        self.jobs = JobManager(
            self.dataset,
            self.state_dir / "objects",
            self.job_settings,
            self.lock,
            self.fingerprint,
            settings.workers,
        )
        self._url_key = secrets.token_bytes(32)
        self._counters: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._counter_lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def fingerprint(self) -> str:
        """A hash of the scenario so far (code, seed, scale and every change applied)."""
        blob = json.dumps(self._scenario, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def bind(self) -> ThreadingHTTPServer:
        """Create the HTTP server and bind its socket (``port`` 0 picks a free port)."""
        httpd = _Server((self.settings.host, self.settings.port), _Handler)
        httpd.emulator = self
        self.httpd = httpd
        return httpd

    @property
    def url(self) -> str:
        """The base URL (``DAP_API_URL``)."""
        assert self.httpd is not None, "bind() first"
        host, port = self.httpd.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        if ":" in str(host):
            host = f"[{host}]"
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` (binds first if needed)."""
        httpd = self.httpd or self.bind()
        httpd.serve_forever(poll_interval=0.05)

    def start(self) -> str:
        """Serve in a background thread.

        Returns:
            The base URL.
        """
        if self.httpd is None:
            self.bind()
        self._thread = threading.Thread(target=self.serve_forever, name="cd2-emulator", daemon=True)
        self._thread.start()
        return self.url

    def shutdown(self) -> None:
        """Stop serving and clean up the temporary state directory."""
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.jobs.shutdown()
        if self._tmp is not None:
            self._tmp.cleanup()

    # ------------------------------------------------------------------ counters
    def count(self, route: str, status: int) -> None:
        """Count one answered request."""
        with self._counter_lock:
            self._counters[route][str(status)] += 1

    def counters(self) -> dict[str, dict[str, int]]:
        """Requests per route and status."""
        with self._counter_lock:
            return {r: dict(s) for r, s in self._counters.items()}

    def reset_counters(self) -> None:
        """Forget the request counters."""
        with self._counter_lock:
            self._counters.clear()

    # ------------------------------------------------------------------ signing
    def sign(self, job_id: str, name: str, expires: str) -> str:
        """The signature of an object URL."""
        msg = f"{job_id}/{name}:{expires}".encode()
        return hmac.new(self._url_key, msg, hashlib.sha256).hexdigest()[:32]

    def object_url(self, base: str, job_id: str, name: str, expired: bool = False) -> str:
        """A presigned URL for an object."""
        lifetime = -1.0 if expired else max(0.0, self.settings.url_lifetime)
        # milliseconds rounded down: rounding to nearest could put a zero lifetime's deadline up
        # to 0.5 ms in the future, and a quick download on a kept-alive connection beat it
        expires = f"{math.floor((time.time() + lifetime) * 1000) / 1000:.3f}"
        sig = self.sign(job_id, name, expires)
        path = f"{OBJECT_PREFIX}{urllib.parse.quote(job_id)}/{urllib.parse.quote(name)}"
        return f"{base}{path}?expires={expires}&sig={sig}"

    # ------------------------------------------------------------------ scenario
    def advance(self, hours: float) -> dict[str, Any]:
        """Advance the dataset clock (waits for running generations)."""
        self.lock.acquire_write()
        try:
            changes = self.dataset.advance(hours)
            self._scenario.append({"op": "advance", "hours": hours})
        finally:
            self.lock.release_write()
        return {"clock": rfc3339(self.dataset.clock), "changes": changes}

    def bump_schema(
        self,
        namespace: str,
        table: str,
        kind: str,
        column: str | None,
        type_: str | None = None,
    ) -> dict[str, Any]:
        """Apply a schema change (:class:`emulator.schema.SchemaChange`)."""
        self.lock.acquire_write()
        try:
            new = self.dataset.bump_schema(namespace, table, kind, column, type_)
            self._scenario.append(
                {
                    "op": "schema",
                    "table": f"{namespace}.{table}",
                    "kind": kind,
                    "column": column,
                    "type": type_,
                }
            )
        finally:
            self.lock.release_write()
        return {"namespace": namespace, "table": table, "version": new.version, **json_schema(new)}

    def alias_table(self, namespace: str, table: str, alias: str) -> dict[str, Any]:
        """List one more table name (``alias``, e.g. a hostile ``bad/name``) serving ``table``."""
        self.lock.acquire_write()
        try:
            self.dataset.add_alias(namespace, table, alias)
            self._scenario.append({"op": "alias", "table": f"{namespace}.{table}", "alias": alias})
        finally:
            self.lock.release_write()
        return {"namespace": namespace, "table": table, "alias": alias}

    def remove_alias(self, namespace: str, alias: str) -> dict[str, Any]:
        """Stop listing a table name added by :meth:`alias_table`."""
        self.lock.acquire_write()
        try:
            self.dataset.remove_alias(namespace, alias)
            self._scenario.append({"op": "unalias", "namespace": namespace, "alias": alias})
        finally:
            self.lock.release_write()
        return {"namespace": namespace, "removed": alias}

    def set_late(self, rate: float, hours: float) -> dict[str, Any]:
        """Deliver a share of changes late (see :meth:`Dataset.set_late`)."""
        self.lock.acquire_write()
        try:
            self.dataset.set_late(rate, hours)
            self._scenario.append({"op": "late", "rate": rate, "hours": hours})
        finally:
            self.lock.release_write()
        return {"late_rate": rate, "late_hours": hours}

    def reload(self, namespace: str, table: str) -> dict[str, Any]:
        """Mark a table reloaded (incrementals from before now need a snapshot)."""
        self.lock.acquire_write()
        try:
            self.dataset.mark_reloaded(namespace, table)
            self._scenario.append({"op": "reload", "table": f"{namespace}.{table}"})
        finally:
            self.lock.release_write()
        return {"namespace": namespace, "table": table, "reloaded_at": rfc3339(self.dataset.clock)}

    def empty_table(self, namespace: str, table: str) -> dict[str, Any]:
        """Hard-delete every row of a table (see :meth:`Dataset.empty_table`)."""
        self.lock.acquire_write()
        try:
            deleted = self.dataset.empty_table(namespace, table)
            self._scenario.append({"op": "empty", "table": f"{namespace}.{table}"})
        finally:
            self.lock.release_write()
        return {
            "namespace": namespace,
            "table": table,
            "deleted": deleted,
            "clock": rfc3339(self.dataset.clock),
        }

    def update_config(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change run-time settings.

        Raises:
            ApiError: unknown key or bad value.
        """
        if not isinstance(changes, dict):
            raise validation("expected a JSON object")
        parsed: dict[str, Any] = {}
        for key, value in changes.items():
            if key not in RUNTIME_KEYS:
                raise validation(f"unknown setting {key!r}; expected {', '.join(RUNTIME_KEYS)}")
            try:
                parsed[key] = RUNTIME_KEYS[key](value)
            except (TypeError, ValueError):
                raise validation(f"bad value for {key!r}: {value!r}") from None
            if key == "tsv_escapes":
                if parsed[key] not in formats.TSV_ESCAPES:
                    raise validation(
                        f"bad value for {key!r}: {value!r}; expected "
                        f"{', '.join(formats.TSV_ESCAPES)}"
                    )
                continue
            if parsed[key] < 0 or (key in ("rows_per_object", "gzip_level") and parsed[key] < 1):
                raise validation(f"bad value for {key!r}: {value!r}")
        for key, value in parsed.items():
            setattr(self.settings, key, value)
            if hasattr(self.job_settings, key):
                setattr(self.job_settings, key, value)
        self.tokens.lifetime = self.settings.token_lifetime
        return self.config()

    def config(self) -> dict[str, Any]:
        """The run-time settings."""
        return {key: getattr(self.settings, key) for key in RUNTIME_KEYS}

    def status(self) -> dict[str, Any]:
        """The admin status document."""
        tables: dict[str, Any] = {}
        for t in self.dataset.catalog.all_tables():
            tables[t.qualified] = {
                "version": t.version,
                "token": self.dataset.version_token(t.namespace, t.name),
            }
        return {
            "clock": rfc3339(self.dataset.clock),
            "seed": self.dataset.seed,
            "scale": str(self.settings.scale),
            "rows": self.settings.rows,
            "url": self.url if self.httpd else None,
            "client_id": self.settings.client_id,
            "state_dir": str(self.state_dir),
            "scenario": self.fingerprint(),
            "config": self.config(),
            "tables": tables,
        }

    def write_truth(self, namespace: str, table: str, path: Path) -> int:
        """Write a table's ground truth as Parquet (see :func:`emulator.formats.truth_batch`).

        Returns:
            The number of rows.
        """
        self.lock.acquire_read()
        try:
            t = self.dataset.table(namespace, table)
            schema = formats.truth_schema(arrow_schema(t, incremental=False))
            rows = 0
            with pq.ParquetWriter(str(path), schema, compression="snappy") as writer:
                for batch in self.dataset.ground_truth(namespace, table):
                    writer.write_batch(formats.truth_batch(batch))
                    rows += batch.num_rows
            return rows
        finally:
            self.lock.release_read()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    emulator: Emulator


class _Abort(Exception):
    """The response was cut off on purpose (connection reset fault)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cd2-emulator"
    sys_version = ""
    server: _Server

    # ------------------------------------------------------------------ plumbing
    def setup(self) -> None:
        """Disable Nagle's algorithm: small responses would otherwise wait for delayed ACKs."""
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default access log (it prints the full URL, signatures included)."""

    @property
    def emu(self) -> Emulator:
        return self.server.emulator

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0:
            return b""
        return self.rfile.read(length)

    def _json_body(self, raw: bytes) -> Any:
        if not raw.strip():
            raise validation("the request body is empty; expected JSON")
        try:
            return json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise validation("the request body is not UTF-8") from None
        except json.JSONDecodeError as exc:
            raise validation(
                f"the request body is not valid JSON: {exc.msg}", exc.lineno, exc.colno, exc.pos + 1
            ) from None

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        fault = self._fault
        send = body
        if fault is not None and fault.kind in ("reset", "truncate"):
            send = body[: int(len(body) * fault.fraction)]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        length = len(send) if (fault is not None and fault.kind == "truncate") else len(body)
        self.send_header("Content-Length", str(length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(send)
        self._status = status
        if fault is not None and fault.kind == "reset":
            self._reset()

    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json", headers)

    def _send_error(self, err: ApiError) -> None:
        self._send_json(err.status, err.body(), err.headers)

    def _reset(self) -> None:
        """Abort the connection with a TCP reset."""
        with contextlib.suppress(OSError):
            self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        raise _Abort()

    def _base_url(self) -> str:
        host = self.headers.get("Host")
        if host:
            return f"http://{host}"
        return self.emu.url

    # ------------------------------------------------------------------ dispatch
    def _dispatch(self, method: str) -> None:
        self._fault: FaultRule | None = None
        self._status = 0
        target = self.path
        if "://" in target.split("?", 1)[0]:  # absolute-form request target
            split = urllib.parse.urlsplit(target)
            target = split.path + ("?" + split.query if split.query else "")
        raw_path, _, query = target.partition("?")
        query = query.partition("#")[0]
        path = re.sub(r"/{2,}", "/", raw_path)
        if len(path) > 1:
            path = path.rstrip("/")
        route = "unknown"
        try:
            raw = self._read_body()
            if path.startswith(ADMIN_PREFIX) or path + "/" == ADMIN_PREFIX:
                route = "admin"
                self._admin(method, path[len(ADMIN_PREFIX) :], query, raw)
                return
            params: dict[str, str] = {}
            allowed: list[str] = []
            for m, pattern, name in _ROUTES:
                match = pattern.match(path)
                if match:
                    allowed.append(m)
                    if m == method:
                        route, params = name, match.groupdict()
                        break
            if route == "unknown":
                if allowed:
                    raise ApiError(405, "MethodNotAllowed", f"{method} is not allowed on {path}.")
                raise not_found("route", path, f"No route {path!r}.")
            self._api(route, params, query, raw)
        except ApiError as err:
            self._send_error(err)
        except _Abort:
            self._status = 0
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # noqa: BLE001 - the server must keep going
            log.exception("internal error on %s %s", method, route)
            try:
                self._send_json(500, error_body("ProcessingError", "Internal emulator error."))
            except OSError:
                self.close_connection = True
        finally:
            self.emu.count(route, self._status)
            log.debug("%s %s -> %s", method, route, self._status)

    def _table_of(self, route: str, params: dict[str, str], raw: bytes) -> str | None:
        if "ns" in params and "table" in params:
            return f"{params['ns']}.{params['table']}"
        if "job" in params:
            return self.emu.jobs.job_table(params["job"])
        if route == "object_url":
            try:
                items = json.loads(raw.decode("utf-8"))
                first = items[0]["id"] if isinstance(items, list) and items else None
            except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError):
                return None
            if isinstance(first, str):
                return self.emu.jobs.job_table(first.partition("/")[0])
        return None

    def _api(self, route: str, params: dict[str, str], query: str, raw: bytes) -> None:
        emu = self.emu
        if route != "download" and not self.headers.get("User-Agent"):
            raise ApiError(403, "RequestTypeForbidden", "Requests must carry a User-Agent header.")
        fault = emu.faults.match(route, self._table_of(route, params, raw))
        if fault is not None:
            log.info("fault %s (%s) fires on %s", fault.id, fault.kind, route)
            if fault.kind == "slow":
                time.sleep(fault.delay)
                fault = None
            elif fault.kind == "rate_limit":
                retry = (
                    fault.retry_after if fault.retry_after is not None else emu.settings.retry_after
                )
                raise ApiError(
                    429,
                    "TooManyRequests",
                    "Rate limit exceeded; retry later.",
                    headers={"Retry-After": str(retry)},
                )
            elif fault.kind == "server_error":
                if fault.body == "plain":
                    text = f"{fault.status} injected server error\n".encode()
                    self._send(fault.status, text, "text/plain")
                    return
                raise ApiError(fault.status, "ProcessingError", "Injected server error.")
            elif fault.kind == "account_error":
                raise ApiError(403, fault.error_type, f"Injected {fault.error_type} error.")
            elif fault.kind == "token_expiry":
                emu.tokens.revoke_all()
                raise ApiError(401, "AuthenticationError", "The access token has expired.")
            elif fault.kind == "url_expiry" and route == "download":
                raise not_found("object", params.get("name", ""), "The URL has expired.")
            self._fault = fault
        if route == "login":
            self._login(raw)
            return
        if route == "download":
            self._download(params["job"], params["name"], query)
            return
        self._authenticate()
        if route == "list_tables":
            self._list_tables(params["ns"])
        elif route == "schema":
            self._schema(params["ns"], params["table"])
        elif route == "create_job":
            self._create_job(params["ns"], params["table"], raw)
        elif route == "get_job":
            self._get_job(params["job"])
        elif route == "object_url":
            self._object_urls(raw)

    def _fault_kind(self) -> str | None:
        return self._fault.kind if self._fault is not None else None

    # ------------------------------------------------------------------ DAP routes
    def _authenticate(self) -> None:
        token = None
        auth = self.headers.get("Authorization")
        if auth:
            scheme, _, value = auth.partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                token = value.strip()
        if token is None:
            inst = self.headers.get("x-instauth")
            if inst:
                token = inst.strip()
                if token.lower().startswith("bearer "):
                    token = token[7:].strip()
        if not token:
            raise ApiError(401, "AuthenticationError", "Missing access token.")
        try:
            self.emu.tokens.verify(token)
        except TokenError as exc:
            raise ApiError(401, "AuthenticationError", str(exc).capitalize() + ".") from None

    def _login(self, raw: bytes) -> None:
        creds = parse_basic(self.headers.get("Authorization"))
        if creds is None or not self.emu.tokens.check_credentials(*creds):
            raise ApiError(401, "AuthenticationError", "Invalid client credentials.")
        form = urllib.parse.parse_qs(raw.decode("utf-8", "replace"))
        grant = form.get("grant_type", ["client_credentials"])[0]
        if grant != "client_credentials":
            raise validation(f"unsupported grant_type {grant!r}")
        token, expires_in = self.emu.tokens.issue(creds[0])
        body = {
            "access_token": token,
            "expires_in": expires_in,
            "scope": SCOPE,
            "token_type": "Bearer",
        }
        self._send_json(200, body)

    def _namespace(self, ns: str) -> list[str]:
        try:
            return self.emu.dataset.list_tables(ns)
        except KeyError:
            raise not_found("namespace", ns, f"Namespace {ns!r} does not exist.") from None

    def _list_tables(self, ns: str) -> None:
        self._send_json(200, {"tables": self._namespace(ns)})

    def _table(self, ns: str, table: str) -> Any:
        self._namespace(ns)
        try:
            return self.emu.dataset.table(ns, table)
        except KeyError:
            raise not_found("table", table, f"Table {ns}.{table} does not exist.") from None

    def _schema(self, ns: str, table: str) -> None:
        self._send_json(200, json_schema(self._table(ns, table)))

    def _create_job(self, ns: str, table: str, raw: bytes) -> None:
        body = self._json_body(raw)
        if not isinstance(body, dict):
            raise validation("the query must be a JSON object")
        unknown = set(body) - {"format", "mode", "since", "until", "filter"}
        if unknown:
            raise validation(f"unknown query fields: {', '.join(sorted(unknown))}")
        fmt = body.get("format")
        if fmt not in formats.FORMATS:
            raise validation(f"'format' must be one of {', '.join(formats.FORMATS)}")
        mode = body.get("mode") or "expanded"
        if mode not in formats.MODES:
            raise validation(f"'mode' must be one of {', '.join(formats.MODES)}")
        since = None if body.get("since") is None else parse_timestamp(body["since"], "since")
        until = None if body.get("until") is None else parse_timestamp(body["until"], "until")
        if until is not None and since is None:
            raise validation("'until' needs 'since'")
        self._table(ns, table)
        spec = QuerySpec(ns, table, fmt, mode, since, until)
        try:
            alter = self._fault if self._fault_kind() in ("poison", "empty_objects") else None
            job = self.emu.jobs.create(spec, fail=self._fault_kind() == "job_failed", alter=alter)
        except PoisonError as exc:
            raise validation(f"poison fault {alter.id if alter else ''}: {exc}") from None
        except KeyError:
            raise not_found("table", table) from None
        except OutOfRange as exc:
            raise ApiError(
                400, "OutOfRange", str(exc), since=_ts(exc.since), until=_ts(exc.until)
            ) from None
        except SnapshotRequired as exc:
            raise ApiError(
                400, "SnapshotRequired", str(exc), since=_ts(exc.since), until=_ts(exc.until)
            ) from None
        except InvalidRange as exc:
            raise validation(str(exc)) from None
        except QueryError as exc:
            raise validation(str(exc)) from None
        self._send_json(200, job.to_json())

    def _get_job(self, job_id: str) -> None:
        try:
            job = self.emu.jobs.poll(job_id, fail=self._fault_kind() == "job_failed")
        except NoSuchJob:
            raise not_found(
                "job", job_id, f"Job {job_id!r} does not exist or has expired."
            ) from None
        self._send_json(200, job.to_json())

    def _object_urls(self, raw: bytes) -> None:
        items = self._json_body(raw)
        if isinstance(items, dict) and "id" in items:
            items = [items]
        if not isinstance(items, list) or not items:
            raise validation('expected a non-empty JSON array of {"id": ...} objects')
        ids: list[str] = []
        for item in items:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("id"), str)
                or set(item) != {"id"}
            ):
                raise validation('each object must be {"id": "<object id>"}')
            ids.append(item["id"])
        base = self._base_url()
        expired = self._fault_kind() == "url_expiry"
        urls: dict[str, dict[str, str]] = {}
        for object_id in ids:
            try:
                job, obj = self.emu.jobs.find_object(object_id)
            except NoSuchObject:
                raise not_found(
                    "object", object_id, f"Object {object_id!r} does not exist."
                ) from None
            urls[object_id] = {"url": self.emu.object_url(base, job.id, obj.name, expired)}
        self._send_json(200, {"urls": urls})

    def _download(self, job_id: str, name: str, query: str) -> None:
        job_id = urllib.parse.unquote(job_id)
        name = urllib.parse.unquote(name)
        args = urllib.parse.parse_qs(query)
        try:
            expires = args["expires"][0]
            sig = args["sig"][0]
            deadline = float(expires)
        except (KeyError, ValueError, IndexError):
            raise ApiError(403, "AccessDenied", "The URL is not signed.") from None
        if not hmac.compare_digest(sig, self.emu.sign(job_id, name, expires)):
            raise ApiError(403, "AccessDenied", "The URL signature does not match.")
        if deadline <= time.time():
            raise not_found("object", f"{job_id}/{name}", "The URL has expired.")
        try:
            _, obj = self.emu.jobs.find_object(f"{job_id}/{name}")
        except NoSuchObject:
            raise not_found("object", f"{job_id}/{name}") from None
        self._send_file(obj.path)

    def _send_file(self, path: Path) -> None:
        fault = self._fault
        size = path.stat().st_size
        send = size
        if fault is not None and fault.kind in ("reset", "truncate"):
            send = int(size * fault.fraction)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header(
            "Content-Length", str(send if fault and fault.kind == "truncate" else size)
        )
        self.end_headers()
        self._status = 200
        with open(path, "rb") as f:
            sent = 0
            while sent < send:
                chunk = f.read(min(CHUNK, send - sent))
                if not chunk:
                    break
                self.wfile.write(chunk)
                sent += len(chunk)
        if fault is not None and fault.kind == "reset":
            self._reset()

    # ------------------------------------------------------------------ admin
    def _admin(self, method: str, sub: str, query: str, raw: bytes) -> None:
        emu = self.emu
        parts = [urllib.parse.unquote(p) for p in sub.split("/") if p]
        key = (method, parts[0] if parts else "")
        body: Any = None
        if raw.strip():
            body = self._json_body(raw)
        if body is not None and not isinstance(body, dict) and key != ("POST", "faults"):
            raise validation("expected a JSON object")
        try:
            if key == ("GET", "status"):
                self._send_json(200, emu.status())
            elif key == ("POST", "advance"):
                hours = (body or {}).get("hours")
                if not isinstance(hours, int | float) or isinstance(hours, bool) or hours <= 0:
                    raise validation("'hours' must be a positive number")
                self._send_json(200, emu.advance(float(hours)))
            elif key == ("POST", "schema"):
                b = body or {}
                self._send_json(
                    200,
                    emu.bump_schema(
                        str(b.get("namespace", "canvas")),
                        _required(b, "table"),
                        _required(b, "kind"),
                        b.get("column"),
                        b.get("type"),
                    ),
                )
            elif key == ("POST", "alias"):
                b = body or {}
                self._send_json(
                    200,
                    emu.alias_table(
                        str(b.get("namespace", "canvas")),
                        _required(b, "table"),
                        _required(b, "alias"),
                    ),
                )
            elif key == ("DELETE", "alias"):
                b = body or {}
                self._send_json(
                    200,
                    emu.remove_alias(str(b.get("namespace", "canvas")), _required(b, "alias")),
                )
            elif key == ("POST", "late"):
                b = body or {}
                numbers: dict[str, float] = {}
                for name in ("rate", "hours"):
                    value = b.get(name, 0 if name == "hours" else None)
                    if not isinstance(value, int | float) or isinstance(value, bool):
                        raise validation(f"'{name}' must be a number")
                    numbers[name] = float(value)
                self._send_json(200, emu.set_late(numbers["rate"], numbers["hours"]))
            elif key == ("POST", "reload"):
                b = body or {}
                self._send_json(
                    200, emu.reload(str(b.get("namespace", "canvas")), _required(b, "table"))
                )
            elif key == ("POST", "empty"):
                b = body or {}
                self._send_json(
                    200, emu.empty_table(str(b.get("namespace", "canvas")), _required(b, "table"))
                )
            elif key == ("POST", "prepare"):
                self._prepare(body or {})
            elif key == ("GET", "truth") and len(parts) == 3:
                self._truth(parts[1], parts[2])
            elif parts and parts[0] == "faults" and method in ("GET", "POST", "DELETE"):
                if method == "POST":
                    try:
                        added = emu.faults.add(body if body is not None else {})
                    except FaultError as exc:
                        raise validation(str(exc)) from None
                    self._send_json(200, {"added": [r.to_dict() for r in added]})
                elif method == "DELETE":
                    self._send_json(200, {"removed": emu.faults.clear()})
                else:
                    self._send_json(200, {"faults": emu.faults.list()})
            elif key == ("POST", "config"):
                self._send_json(200, emu.update_config(body or {}))
            elif key == ("GET", "config"):
                self._send_json(200, emu.config())
            elif key == ("GET", "jobs"):
                self._send_json(200, {"jobs": emu.jobs.describe()})
            elif key == ("GET", "requests"):
                self._send_json(200, {"requests": emu.counters()})
            elif key == ("DELETE", "requests"):
                emu.reset_counters()
                self._send_json(200, {"requests": {}})
            else:
                raise not_found("route", "/_emulator/" + sub, f"No admin route {method} {sub!r}.")
        except KeyError as exc:
            raise not_found("table", str(exc.args[0] if exc.args else exc)) from None
        except ValueError as exc:
            raise validation(str(exc)) from None

    def _prepare(self, b: dict[str, Any]) -> None:
        """Run a query job now (warming the object cache); a later identical query reuses it."""
        ns = str(b.get("namespace", "canvas"))
        table = _required(b, "table")
        fmt = str(b.get("format", "tsv"))
        mode = str(b.get("mode", "expanded"))
        if fmt not in formats.FORMATS or mode not in formats.MODES:
            raise validation("bad 'format' or 'mode'")
        since = None if b.get("since") is None else parse_timestamp(b["since"], "since")
        until = None if b.get("until") is None else parse_timestamp(b["until"], "until")
        self._table(ns, table)
        try:
            job = self.emu.jobs.create(QuerySpec(ns, table, fmt, mode, since, until))
        except QueryError as exc:
            raise validation(str(exc)) from None
        job.done.wait()
        self._send_json(200, job.describe())

    def _truth(self, ns: str, table: str) -> None:
        self._table(ns, table)
        with tempfile.NamedTemporaryFile(
            dir=self.emu.state_dir, suffix=".parquet", delete=False
        ) as tmp:
            path = Path(tmp.name)
        try:
            self.emu.write_truth(ns, table, path)
            size = path.stat().st_size
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.apache.parquet")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self._status = 200
            with open(path, "rb") as f:
                shutil.copyfileobj(f, self.wfile, CHUNK)
        finally:
            path.unlink(missing_ok=True)


def _required(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise validation(f"'{key}' is required")
    return value


def _ts(value: datetime | None) -> str | None:
    return rfc3339(value) if value is not None else None


def settings_dict(settings: Settings) -> dict[str, Any]:
    """Settings as JSON-able data, without the client secret."""
    data = asdict(settings)
    data.pop("client_secret", None)
    data["state_dir"] = str(settings.state_dir) if settings.state_dir else None
    return data
