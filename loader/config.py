"""Settings: dlt config sections, environment fallbacks and defaults, in one place.

Where each setting comes from, first match wins:

1. command-line flags (``cd2 load --table …``);
2. dlt configuration under ``[sources.dap]`` (``.dlt/config.toml``, ``.dlt/secrets.toml``) or the
   matching ``SOURCES__DAP__<NAME>`` environment variables;
3. for the credentials and base URL only, the official ``dap`` CLI's variables ``DAP_API_URL``,
   ``DAP_CLIENT_ID`` and ``DAP_CLIENT_SECRET``;
4. the defaults below.

The destination is dlt's: ``DESTINATION__POSTGRES__CREDENTIALS`` (or ``--dsn``); without one the
embedded warehouse (:mod:`loader.warehouse`) is used.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loader.dap.client import DEFAULT_BASE_URL, ClientSettings, DapClient
from loader.dap.policy import DAP_RATE_LIMITS, RetryPolicy, scaled_limits
from loader.redaction import format_dsn, redact_url

SECTION = "sources.dap"
NAMESPACES: tuple[str, ...] = ("canvas", "canvas_logs", "catalog", "new_quizzes")
DEFAULT_NAMESPACES: tuple[str, ...] = ("canvas", "canvas_logs")
FORMATS: tuple[str, ...] = ("tsv", "csv", "jsonl", "parquet")
DEFAULT_FORMAT = "tsv"
DEFAULT_CONCURRENCY = 4
ENV_FALLBACKS = {
    "base_url": "DAP_API_URL",
    "client_id": "DAP_CLIENT_ID",
    "client_secret": "DAP_CLIENT_SECRET",
}


class ConfigError(ValueError):
    """A setting is missing or invalid. The message names the setting, never its value."""


@dataclass(frozen=True)
class DapCredentials:
    """Where and how to log in to DAP.

    Attributes:
        base_url: API base URL.
        client_id: OAuth client id.
        client_secret: OAuth client secret (not shown in ``repr``).
    """

    base_url: str
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)


def _dlt_value(name: str, secret: bool = False) -> Any:
    import dlt

    provider = dlt.secrets if secret else dlt.config
    try:
        return provider.get(f"{SECTION}.{name}")
    except Exception:  # noqa: BLE001 - a provider that cannot answer counts as "not set"
        return None


def resolve_credentials(
    base_url: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> DapCredentials:
    """Credentials from arguments, then dlt config/secrets, then the ``DAP_*`` variables.

    Args:
        base_url: explicit base URL.
        client_id: explicit client id.
        client_secret: explicit client secret.

    Returns:
        The credentials.

    Raises:
        ConfigError: the client id or secret is not set anywhere.
    """
    values = {"base_url": base_url, "client_id": client_id, "client_secret": client_secret}
    for name, value in list(values.items()):
        if not value:
            value = _dlt_value(name, secret=name != "base_url")
        if not value:
            value = os.environ.get(ENV_FALLBACKS[name])
        values[name] = str(value) if value else None
    missing = [n for n in ("client_id", "client_secret") if not values[n]]
    if missing:
        names = ", ".join(
            f"{SECTION}.{n} (or {ENV_FALLBACKS[n]} / SOURCES__DAP__{n.upper()})" for n in missing
        )
        raise ConfigError(f"DAP credentials missing: {names}")
    return DapCredentials(
        base_url=(values["base_url"] or DEFAULT_BASE_URL).rstrip("/"),
        client_id=str(values["client_id"]),
        client_secret=str(values["client_secret"]),
    )


def as_list(value: Any) -> tuple[str, ...]:
    """A list setting from a TOML list, a JSON list string or a comma-separated string.

    Args:
        value: the raw value (None for unset).

    Returns:
        The stripped, non-empty items.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            try:
                return as_list(json.loads(text))
            except ValueError:
                pass
        return tuple(p.strip() for p in text.split(",") if p.strip())
    if isinstance(value, Iterable):
        out: list[str] = []
        for item in value:
            out.extend(as_list(item))
        return tuple(out)
    return (str(value),)


@dataclass(frozen=True)
class LoadSettings:
    """Everything ``cd2 load`` needs besides credentials.

    Attributes:
        namespaces: namespaces to load, in order.
        tables: tables to load (empty: all the namespace lists); ``ns.table`` limits a name to
            one namespace.
        exclude: tables to skip (same syntax).
        format: object format to request (``tsv``, ``csv``, ``jsonl``, ``parquet``).
        mode: ``condensed`` (default) or ``expanded``.
        concurrency: tables processed at once.
        download_concurrency: object downloads in flight at once (all tables together).
        dsn: PostgreSQL DSN (None: ``DESTINATION__POSTGRES__CREDENTIALS`` or the embedded
            warehouse).
        state_dir: project state directory (dlt pipeline working dirs, embedded warehouse).
        work_dir: where downloaded objects wait to be parsed (None: the system temp dir).
        force_snapshot: take a fresh snapshot of every selected table.
        rate_limit_scale: multiplier on DAP's documented rate limits (1 = as documented;
            0 = no client-side limiting).
        block_size: bytes of text per parsed block.
        csv_direct: the extract writes the CSV files dlt loads (dlt file import) instead of
            handing dlt Arrow batches to write as Parquet and rewrite as CSV.
        rows_per_file: rows per CSV file; a big table loads with several ``COPY`` at once.
        drop_pending: first drop a load package an earlier run left pending (one that cannot
            load), with the working directory's state, so the state is read from the database
            again (``cd2 load --drop-pending``).
        lock_wait_seconds: how long a run waits for another run into the same raw schema to
            finish (:mod:`loader.runlock`; 0: exit at once).
    """

    namespaces: tuple[str, ...] = DEFAULT_NAMESPACES
    tables: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    format: str = DEFAULT_FORMAT
    mode: str = "condensed"
    concurrency: int = DEFAULT_CONCURRENCY
    download_concurrency: int = 8
    dsn: str | None = None
    state_dir: Path = Path(".cd2")
    work_dir: Path | None = None
    force_snapshot: bool = False
    rate_limit_scale: float = 1.0
    block_size: int = 1 << 20
    csv_direct: bool = True
    rows_per_file: int = 250_000
    drop_pending: bool = False
    lock_wait_seconds: float = 0.0

    def validate(self) -> None:
        """Check values.

        Raises:
            ConfigError: an invalid value, naming the setting.
        """
        unknown = [n for n in self.namespaces if n not in NAMESPACES]
        if unknown:
            raise ConfigError(
                f"unknown namespace(s) {', '.join(unknown)}; expected {', '.join(NAMESPACES)}"
            )
        if not self.namespaces:
            raise ConfigError("no namespace selected")
        if self.format not in FORMATS:
            raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {self.format!r}")
        if self.mode not in ("condensed", "expanded"):
            raise ConfigError(f"mode must be condensed or expanded, not {self.mode!r}")
        if self.concurrency < 1 or self.download_concurrency < 1:
            raise ConfigError("concurrency and download_concurrency must be at least 1")
        if self.lock_wait_seconds < 0:
            raise ConfigError("lock_wait_seconds must not be negative")

    def tables_for(self, namespace: str, available: Sequence[str] | None) -> list[str]:
        """The tables to load from one namespace.

        A plain name in ``tables`` selects the table in every namespace that lists it; a
        qualified ``ns.table`` selects it in that namespace only (listed or not, so a typo
        surfaces as a "not found" error for that table).

        Args:
            namespace: the namespace.
            available: what the API lists (None when not listed).

        Returns:
            Table names, in the order given (``tables``) or listed.
        """

        def matches(patterns: Sequence[str], table: str) -> bool:
            for p in patterns:
                ns, _, name = p.rpartition(".")
                if name == table and (not ns or ns == namespace):
                    return True
            return False

        if self.tables:
            known = set(available) if available is not None else None
            names = []
            for p in self.tables:
                ns, _, name = p.rpartition(".")
                if ns == namespace or (not ns and (known is None or name in known)):
                    names.append(name)
            names = list(dict.fromkeys(names))
        else:
            names = list(available or ())
        return [t for t in names if not matches(self.exclude, t)]

    def unmatched_tables(self, listed: Mapping[str, Sequence[str]]) -> list[str]:
        """Plain table names in ``tables`` that no loaded namespace lists.

        Args:
            listed: tables listed per namespace.

        Returns:
            The names.
        """
        everywhere = {t for names in listed.values() for t in names}
        return [p for p in self.tables if "." not in p and p not in everywhere]


def _setting(name: str, cli: Mapping[str, Any], default: Any) -> Any:
    value = cli.get(name)
    if value is None or value == ():
        value = _dlt_value(name)
    return default if value is None else value


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def load_settings(**cli: Any) -> LoadSettings:
    """Merge command-line values, dlt config and defaults.

    Args:
        **cli: values from the command line (None or empty means "not given").

    Returns:
        Validated settings.

    Raises:
        ConfigError: an invalid value.
    """
    state_dir = Path(cli.get("state_dir") or os.environ.get("CD2_STATE_DIR", ".cd2"))
    work_dir = _setting("work_dir", cli, None)
    settings = LoadSettings(
        namespaces=as_list(_setting("namespaces", cli, DEFAULT_NAMESPACES)),
        tables=as_list(_setting("tables", cli, ())),
        exclude=as_list(_setting("exclude", cli, ())),
        format=str(_setting("format", cli, DEFAULT_FORMAT)),
        mode=str(_setting("mode", cli, "condensed")),
        concurrency=int(_setting("concurrency", cli, DEFAULT_CONCURRENCY)),
        download_concurrency=int(_setting("download_concurrency", cli, 8)),
        dsn=cli.get("dsn") or None,
        state_dir=state_dir,
        work_dir=Path(work_dir) if work_dir else None,
        force_snapshot=_truthy(_setting("force_snapshot", cli, False)),
        rate_limit_scale=float(_setting("rate_limit_scale", cli, 1.0)),
        block_size=int(_setting("block_size", cli, 1 << 20)),
        csv_direct=_truthy(_setting("csv_direct", cli, True)),
        rows_per_file=int(_setting("rows_per_file", cli, 250_000)),
        drop_pending=bool(cli.get("drop_pending")),
        lock_wait_seconds=float(_setting("lock_wait_seconds", cli, 0.0)),
    )
    settings.validate()
    return settings


def client_settings(base_url: str, settings: LoadSettings | None = None) -> ClientSettings:
    """HTTP client settings for a run (retry policy and polling from ``[sources.dap]``).

    Args:
        base_url: API base URL.
        settings: the load settings (rate-limit scale, download concurrency).

    Returns:
        The client settings.
    """
    settings = settings or LoadSettings()
    retry = RetryPolicy(
        max_attempts=int(_setting("max_attempts", {}, RetryPolicy.max_attempts)),
        max_elapsed=float(_setting("max_retry_seconds", {}, RetryPolicy.max_elapsed)),
        max_delay=float(_setting("max_backoff_seconds", {}, RetryPolicy.max_delay)),
    )
    return ClientSettings(
        base_url=base_url,
        retry=retry,
        rate_limits=scaled_limits(settings.rate_limit_scale, DAP_RATE_LIMITS),
        download_concurrency=settings.download_concurrency,
        poll_initial=float(_setting("poll_initial_seconds", {}, 0.5)),
        poll_max=float(_setting("poll_max_seconds", {}, 10.0)),
        job_timeout=float(_setting("job_timeout_seconds", {}, 6 * 3600.0)),
        job_attempts=int(_setting("job_attempts", {}, 3)),
    )


def dap_client(credentials: DapCredentials, settings: LoadSettings | None = None) -> DapClient:
    """A DAP client for ``credentials`` with the run's client settings (:func:`client_settings`).

    Args:
        credentials: from :func:`resolve_credentials`.
        settings: the load settings (default: the configured defaults).

    Returns:
        The client; the caller closes it.
    """
    return DapClient(
        credentials.client_id,
        credentials.client_secret,
        client_settings(credentials.base_url, settings),
    )


def destination_dsn(explicit: str | None = None) -> str | None:
    """The configured PostgreSQL DSN, if any.

    Args:
        explicit: ``--dsn``.

    Returns:
        The DSN, or None when the embedded warehouse should be used.
    """
    if explicit:
        return explicit
    env = os.environ.get("DESTINATION__POSTGRES__CREDENTIALS")
    if env:
        return env
    value: Any = None
    try:
        import dlt

        value = dlt.secrets.get("destination.postgres.credentials")
    except Exception:  # noqa: BLE001 - an unreadable secrets provider counts as "not set"
        value = None
    if isinstance(value, str) and value:
        return value
    if isinstance(value, Mapping) and value.get("host"):
        return format_dsn(
            value.get("username"),
            value.get("password"),
            value["host"],
            value.get("port"),
            value.get("database"),
        )
    return None


def destination_fingerprint(dsn: str) -> str:
    """A short, password-free id of a destination, to keep dlt state per database.

    Args:
        dsn: the DSN.

    Returns:
        Eight hex digits.
    """
    return hashlib.sha1(redact_url(dsn).encode()).hexdigest()[:8]
