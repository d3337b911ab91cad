"""Typed views of the DAP API's request and response bodies.

Parsing is lenient (unknown fields are ignored; the official client's strictness is a property
of the server contract, not something a client needs), but the fields we rely on are checked and
a response without them raises :class:`~loader.dap.errors.UnexpectedResponseError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from loader.dap.errors import UnexpectedResponseError

JOB_STATUSES = frozenset({"waiting", "running", "complete", "failed"})


def parse_timestamp(value: Any, what: str = "timestamp") -> datetime:
    """Parse an RFC 3339 timestamp from the API into an aware UTC datetime.

    Args:
        value: the JSON value (``"2024-01-03T10:00:00Z"``, with or without fraction or offset).
        what: field name for the error message.

    Returns:
        The timestamp in UTC.

    Raises:
        UnexpectedResponseError: not a string or not a timestamp.
    """
    if not isinstance(value, str):
        raise UnexpectedResponseError(f"{what} is not a timestamp string: {value!r}")
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UnexpectedResponseError(f"{what} is not an RFC 3339 timestamp: {value!r}") from None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC)


def format_timestamp(ts: datetime) -> str:
    """Format a timestamp the way the official client sends it: UTC, ``Z``, microseconds only when
    non-zero.

    Args:
        ts: an aware datetime (naive ones are taken as UTC).

    Returns:
        For example ``2024-01-03T10:00:00Z`` or ``2023-12-31T22:00:00.500000Z``.
    """
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    ts = ts.astimezone(UTC)
    text = ts.strftime("%Y-%m-%dT%H:%M:%S")
    if ts.microsecond:
        text += f".{ts.microsecond:06d}"
    return text + "Z"


@dataclass(frozen=True)
class VersionedSchema:
    """A table's JSON schema and its version (``GET …/schema``)."""

    version: int
    schema: dict[str, Any]

    @classmethod
    def parse(cls, body: Any) -> VersionedSchema:
        """Parse the response body.

        Args:
            body: parsed JSON.

        Returns:
            The schema.

        Raises:
            UnexpectedResponseError: fields missing or of the wrong type.
        """
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("schema"), dict)
            or not isinstance(body.get("version"), int)
        ):
            raise UnexpectedResponseError("schema response lacks 'version' or 'schema'")
        return cls(version=body["version"], schema=body["schema"])


@dataclass(frozen=True)
class QueryRequest:
    """The body of ``POST /dap/query/{ns}/table/{t}/data``.

    Attributes:
        format: ``tsv``, ``csv``, ``jsonl`` or ``parquet``.
        mode: ``condensed`` or ``expanded`` (None leaves it out).
        since: start of an incremental query (None for a snapshot).
        until: optional end of an incremental query.
    """

    format: str
    mode: str | None = "condensed"
    since: datetime | None = None
    until: datetime | None = None

    @property
    def is_incremental(self) -> bool:
        """Whether this asks for changes rather than a snapshot."""
        return self.since is not None

    def body(self) -> dict[str, Any]:
        """The JSON body, with unset fields left out.

        Returns:
            The request body.
        """
        out: dict[str, Any] = {"format": self.format}
        if self.mode:
            out["mode"] = self.mode
        if self.since is not None:
            out["since"] = format_timestamp(self.since)
            if self.until is not None:
                out["until"] = format_timestamp(self.until)
        return out


@dataclass(frozen=True)
class JobError:
    """``error`` of a failed job."""

    type: str
    message: str
    uuid: str = ""


@dataclass(frozen=True)
class Job:
    """A query job (``POST …/data`` and ``GET /dap/job/{id}``).

    Attributes:
        id: job id.
        status: ``waiting``, ``running``, ``complete`` or ``failed``.
        expires_at: when the job and its objects go away.
        objects: object ids, in the order the server listed them (None when not given).
        schema_version: schema version of the data.
        at: snapshot time (snapshots).
        since: start of the window (incrementals).
        until: end of the window (incrementals); the next ``since``.
        error: set on failed jobs.
    """

    id: str
    status: str
    expires_at: datetime | None = None
    objects: tuple[str, ...] | None = None
    schema_version: int | None = None
    at: datetime | None = None
    since: datetime | None = None
    until: datetime | None = None
    error: JobError | None = None

    @property
    def done(self) -> bool:
        """Whether the job has finished (complete or failed)."""
        return self.status in ("complete", "failed")

    @property
    def is_described(self) -> bool:
        """Whether a complete job carries what a download needs: objects and ``at``/``until``."""
        return self.objects is not None and (self.at is not None or self.until is not None)

    @property
    def watermark(self) -> datetime | None:
        """Where the next incremental query starts: ``until``, or a snapshot's ``at``."""
        return self.until if self.until is not None else self.at

    @classmethod
    def parse(cls, body: Any) -> Job:
        """Parse a job body.

        Args:
            body: parsed JSON.

        Returns:
            The job.

        Raises:
            UnexpectedResponseError: missing id or status, unknown status, malformed objects.
        """
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            raise UnexpectedResponseError("job response lacks 'id'")
        status = body.get("status")
        if status not in JOB_STATUSES:
            raise UnexpectedResponseError(f"job {body['id']} has unknown status {status!r}")

        def ts(name: str) -> datetime | None:
            value = body.get(name)
            return None if value is None else parse_timestamp(value, name)

        objects: tuple[str, ...] | None = None
        if body.get("objects") is not None:
            raw = body["objects"]
            if not isinstance(raw, list) or not all(
                isinstance(o, dict) and isinstance(o.get("id"), str) for o in raw
            ):
                raise UnexpectedResponseError(f"job {body['id']} has malformed 'objects'")
            objects = tuple(o["id"] for o in raw)
        error = None
        if isinstance(body.get("error"), dict):
            e = body["error"]
            error = JobError(
                type=str(e.get("type") or ""),
                message=" ".join(str(e.get("message") or "").split()),
                uuid=str(e.get("uuid") or ""),
            )
        return cls(
            id=body["id"],
            status=status,
            expires_at=ts("expires_at"),
            objects=objects,
            schema_version=body.get("schema_version")
            if isinstance(body.get("schema_version"), int)
            else None,
            at=ts("at"),
            since=ts("since"),
            until=ts("until"),
            error=error,
        )


@dataclass
class DownloadedObject:
    """An object of a job, downloaded and verified, on local disk.

    Attributes:
        index: position in the job's object list (orders records within a job).
        object_id: the DAP object id.
        path: local file (as served: usually gzip-compressed).
        size: bytes on disk.
    """

    index: int
    object_id: str
    path: Any
    size: int


@dataclass
class CompletedQuery:
    """A finished job with every object downloaded.

    Attributes:
        job: the completed job (the last one, when it had to be re-requested).
        objects: the verified local files, in job order.
        attempts: how many jobs were created in total.
    """

    job: Job
    objects: list[DownloadedObject] = field(default_factory=list)
    attempts: int = 1

    @property
    def bytes(self) -> int:
        """Total bytes downloaded."""
        return sum(o.size for o in self.objects)
