"""Settings: dlt config sections, environment fallbacks and defaults, in one place.

Where each setting comes from, first match wins:

1. command-line flags (``cd2 load --table …``);
2. dlt's own configuration of the ``[sources.dap]`` section, resolved by dlt from the
   :class:`DapSourceConfiguration` and :class:`DapSecretsConfiguration` specs (``@configspec``):
   the ``SOURCES__DAP__<NAME>`` environment variables, then ``.dlt/secrets.toml`` and
   ``.dlt/config.toml`` (dlt's provider order); for the credentials and base URL, the official
   ``dap`` CLI's variables ``DAP_API_URL``, ``DAP_CLIENT_ID`` and ``DAP_CLIENT_SECRET`` come
   between the ``SOURCES__DAP__*`` variables and the files (environment before files);
3. the defaults of the specs.

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

from dlt.common.configuration import configspec, resolve_configuration
from dlt.common.configuration.exceptions import ConfigValueCannotBeCoercedException
from dlt.common.configuration.specs import BaseConfiguration
from dlt.common.typing import TSecretStrValue

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


@configspec
class DapSourceConfiguration(BaseConfiguration):
    """The non-secret ``[sources.dap]`` settings, as dlt resolves them (see the module docstring).

    Fields without a default (None) are "not set": the caller falls back (``base_url`` to
    ``DAP_API_URL``). List settings accept a TOML list, a JSON list or a comma-separated string
    (:func:`as_list`).
    """

    base_url: str | None = None
    namespaces: Any | None = None
    tables: Any | None = None
    exclude: Any | None = None
    format: str = DEFAULT_FORMAT
    mode: str = "condensed"
    concurrency: int = DEFAULT_CONCURRENCY
    download_concurrency: int = 8
    work_dir: str | None = None
    force_snapshot: bool = False
    rate_limit_scale: float = 1.0
    block_size: int = 1 << 20
    csv_direct: bool = True
    rows_per_file: int = 250_000
    lock_wait_seconds: float = 0.0
    destination: str = "postgres"
    max_attempts: int = RetryPolicy.max_attempts
    max_retry_seconds: float = RetryPolicy.max_elapsed
    max_backoff_seconds: float = RetryPolicy.max_delay
    poll_initial_seconds: float = 0.5
    poll_max_seconds: float = 10.0
    job_timeout_seconds: float = 6 * 3600.0
    job_attempts: int = 3


@configspec
class DapSecretsConfiguration(BaseConfiguration):
    """The ``[sources.dap]`` credentials, as dlt resolves secrets (never from config.toml)."""

    client_id: TSecretStrValue | None = None
    client_secret: TSecretStrValue | None = None


_SECTIONS = ("sources", "dap")


def _resolve(spec: BaseConfiguration) -> Any:
    """Resolve a spec in ``[sources.dap]``; a value dlt cannot coerce is a :class:`ConfigError`
    that names the setting (never its value)."""
    try:
        return resolve_configuration(spec, sections=_SECTIONS)
    except ConfigValueCannotBeCoercedException as exc:
        raise ConfigError(
            f"{SECTION}.{exc.field_name} (SOURCES__DAP__{exc.field_name.upper()}) must be "
            f"{getattr(exc.hint, '__name__', exc.hint)}"
        ) from None


def dap_configuration() -> DapSourceConfiguration:
    """The ``[sources.dap]`` settings dlt resolves (env, secrets.toml, config.toml, defaults).

    Returns:
        The resolved spec.

    Raises:
        ConfigError: a value of the wrong type.
    """
    config: DapSourceConfiguration = _resolve(DapSourceConfiguration())
    return config


def resolve_credentials(
    base_url: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> DapCredentials:
    """Credentials from arguments, then the environment (``SOURCES__DAP__*``, then ``DAP_*``),
    then ``.dlt/secrets.toml`` (``config.toml`` for the base URL).

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
    secrets: DapSecretsConfiguration = _resolve(DapSecretsConfiguration())
    configured = {
        "base_url": dap_configuration().base_url,
        "client_id": secrets.client_id,
        "client_secret": secrets.client_secret,
    }
    for name, value in list(values.items()):
        # environment variables before the files: SOURCES__DAP__<NAME> (dlt resolves it first),
        # then the dap CLI's variable, then .dlt/secrets.toml and .dlt/config.toml
        if not value and f"SOURCES__DAP__{name.upper()}" not in os.environ:
            value = os.environ.get(ENV_FALLBACKS[name])
        if not value:
            value = configured[name]
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
        destination: ``postgres`` (raw tables in a database) or ``filesystem`` (Parquet files in
            a lake folder or bucket, :mod:`loader.lake`).
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
    destination: str = "postgres"

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
        if self.destination not in ("postgres", "filesystem"):
            raise ConfigError(
                f"destination must be postgres or filesystem, not {self.destination!r}"
            )
        if self.destination == "filesystem" and self.dsn:
            raise ConfigError(
                "--dsn names a PostgreSQL database; the filesystem destination "
                "takes destination.filesystem.bucket_url"
            )

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


def load_settings(**cli: Any) -> LoadSettings:
    """Merge command-line values over dlt's resolved ``[sources.dap]`` configuration.

    Args:
        **cli: values from the command line (None or empty means "not given").

    Returns:
        Validated settings.

    Raises:
        ConfigError: an invalid value.
    """
    config = dap_configuration()

    def pick(name: str) -> Any:
        value = cli.get(name)
        return getattr(config, name) if value is None or value == () else value

    state_dir = Path(cli.get("state_dir") or os.environ.get("CD2_STATE_DIR", ".cd2"))
    work_dir = pick("work_dir")
    namespaces = pick("namespaces")
    settings = LoadSettings(
        namespaces=as_list(DEFAULT_NAMESPACES if namespaces is None else namespaces),
        tables=as_list(pick("tables")),
        exclude=as_list(pick("exclude")),
        format=str(pick("format")),
        mode=str(pick("mode")),
        concurrency=int(pick("concurrency")),
        download_concurrency=int(pick("download_concurrency")),
        dsn=cli.get("dsn") or None,
        state_dir=state_dir,
        work_dir=Path(work_dir) if work_dir else None,
        force_snapshot=bool(pick("force_snapshot")),
        rate_limit_scale=float(pick("rate_limit_scale")),
        block_size=int(pick("block_size")),
        csv_direct=bool(pick("csv_direct")),
        rows_per_file=int(pick("rows_per_file")),
        drop_pending=bool(cli.get("drop_pending")),
        lock_wait_seconds=float(pick("lock_wait_seconds")),
        destination=str(pick("destination")),
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
    config = dap_configuration()
    retry = RetryPolicy(
        max_attempts=config.max_attempts,
        max_elapsed=config.max_retry_seconds,
        max_delay=config.max_backoff_seconds,
    )
    return ClientSettings(
        base_url=base_url,
        retry=retry,
        rate_limits=scaled_limits(settings.rate_limit_scale, DAP_RATE_LIMITS),
        download_concurrency=settings.download_concurrency,
        poll_initial=config.poll_initial_seconds,
        poll_max=config.poll_max_seconds,
        job_timeout=config.job_timeout_seconds,
        job_attempts=config.job_attempts,
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

    In order: ``--dsn``; ``DESTINATION__POSTGRES__CREDENTIALS`` (or the same key in
    ``.dlt/secrets.toml``) as a connection string; its fields (``host``, ``username``,
    ``password``, ``port``, ``database``), from ``DESTINATION__POSTGRES__CREDENTIALS__HOST`` and
    friends or ``[destination.postgres.credentials]``, resolved by dlt's own providers.

    Args:
        explicit: ``--dsn``.

    Returns:
        The DSN, or None when nothing is configured (the embedded warehouse is used).

    Raises:
        ConfigError: some credential fields are set but not all that are required (a load must
            not go to the embedded warehouse instead, unnoticed).
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
    return _destination_fields(isinstance(value, Mapping) and bool(value))


def _destination_fields(in_toml: bool) -> str | None:
    """The DSN from the credential fields, resolved by dlt; None when none is set."""
    from dlt.common.configuration import resolve_configuration
    from dlt.common.configuration.exceptions import ConfigFieldMissingException
    from dlt.destinations.impl.postgres.configuration import PostgresCredentials

    prefix = "DESTINATION__POSTGRES__CREDENTIALS__"
    in_env = any(name.startswith(prefix) and value for name, value in os.environ.items())
    try:
        credentials = resolve_configuration(
            PostgresCredentials(), sections=("destination", "postgres", "credentials")
        )
    except ConfigFieldMissingException as exc:
        if not (in_env or in_toml):
            return None
        missing = ", ".join(sorted(exc.traces))
        raise ConfigError(
            f"the destination's credentials are set in part: {missing} missing (set them as "
            f"{prefix}<FIELD> or in [destination.postgres.credentials], or give one DSN)"
        ) from None
    return format_dsn(
        credentials.username,
        credentials.password,
        credentials.host,
        credentials.port,
        credentials.database,
    )


def destination_fingerprint(dsn: str) -> str:
    """A short, password-free id of a destination, to keep dlt state per database.

    Args:
        dsn: the DSN.

    Returns:
        Eight hex digits.
    """
    return hashlib.sha1(redact_url(dsn).encode()).hexdigest()[:8]
