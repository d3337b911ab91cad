"""Fault injection: rules that make chosen requests fail, on demand.

A rule names a route (or ``any``), a fault kind, and when it fires: the first ``count`` matching
requests, or each matching request with probability ``rate`` (drawn from a RNG seeded per rule,
so a run is reproducible). A rule may be limited to one table (``"submissions"`` or
``"canvas.submissions"``). Rules come from a JSON file at startup (a list of rule objects, or
``{"faults": [...]}``) and from ``POST /_emulator/faults``.

Kinds and what the server does when one fires:

=================  ================================================================================
``rate_limit``     429 with ``Retry-After: <retry_after>`` and a DAP error body
``server_error``   ``status`` (500, 502, 503 or 504) with a DAP error body, or a plain-text one
                   when ``body`` is ``"plain"``
``reset``          sends the headers and a ``fraction`` of the body, then resets the connection
``truncate``       (download) sends the first ``fraction`` of the object with a Content-Length
                   that matches the shortened body: the client sees an incomplete gzip stream
``slow``           waits ``delay`` seconds, then answers normally
``job_failed``     (create_job, get_job) the job ends ``failed`` with a ``ProcessingError``
``url_expiry``     (object_url) the URL is issued already expired; (download) 404 as if expired
``token_expiry``   every token issued so far is revoked; this request and later ones that use an
                   older token get 401 until the client logs in again
``account_error``  403 with an account error type (``error_type``: ``AccountDisabled``,
                   ``AccountNotOnboarded``, ``AccountUnderMaintenance`` or ``RequestTypeForbidden``)
``empty_objects``  (create_job) the job gets objects without records as well: a zero-byte file,
                   an empty gzip stream, a header-only TSV/CSV (a zero-row Parquet file)
``poison``         (create_job) the first ``rows`` values of ``column`` are replaced by a value
                   PostgreSQL refuses, of ``value_kind`` (see :mod:`emulator.poison`)
=================  ================================================================================
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

ROUTES: tuple[str, ...] = (
    "login",
    "list_tables",
    "schema",
    "create_job",
    "get_job",
    "object_url",
    "download",
    "any",
)
KINDS: tuple[str, ...] = (
    "rate_limit",
    "server_error",
    "reset",
    "truncate",
    "slow",
    "job_failed",
    "url_expiry",
    "token_expiry",
    "account_error",
    "empty_objects",
    "poison",
)
ACCOUNT_ERRORS = (
    "AccountDisabled",
    "AccountNotOnboarded",
    "AccountUnderMaintenance",
    "RequestTypeForbidden",
)
# Routes a kind can apply to (None: every route).
_KIND_ROUTES: dict[str, tuple[str, ...] | None] = {
    "rate_limit": None,
    "server_error": None,
    "reset": None,
    "truncate": ("download",),
    "slow": None,
    "job_failed": ("create_job", "get_job"),
    "url_expiry": ("object_url", "download"),
    "token_expiry": ("list_tables", "schema", "create_job", "get_job", "object_url"),
    "account_error": ("login", "list_tables", "schema", "create_job", "get_job", "object_url"),
    "empty_objects": ("create_job",),
    "poison": ("create_job",),
}
SERVER_ERROR_STATUSES = (500, 502, 503, 504)


class FaultError(ValueError):
    """A fault rule that does not make sense."""


@dataclass
class FaultRule:
    """One fault rule. See the module docstring for the kinds.

    Attributes:
        id: assigned by :class:`FaultSet`.
        route: a route name from :data:`ROUTES`.
        kind: a kind from :data:`KINDS`.
        count: fire for the first ``count`` matching requests (None: use ``rate``).
        rate: fire with this probability per matching request (None: use ``count``).
        table: only requests about this table (``name`` or ``namespace.name``).
        status: HTTP status for ``server_error``.
        body: ``dap`` (DAP error JSON) or ``plain`` (text) for ``server_error``.
        retry_after: seconds for ``rate_limit`` (None: the server's configured default).
        delay: seconds for ``slow``.
        fraction: share of the body sent by ``reset`` and ``truncate``.
        error_type: the 403 error type for ``account_error``.
        value_kind: what ``poison`` writes (:data:`emulator.poison.POISON_KINDS`).
        column: the column ``poison`` corrupts.
        rows: how many values ``poison`` corrupts.
        seed: RNG seed for ``rate``.
        remaining: how many more times a ``count`` rule fires.
        hits: how many times the rule fired.
        seen: how many requests matched route and table.
    """

    route: str
    kind: str
    count: int | None = None
    rate: float | None = None
    table: str | None = None
    status: int = 503
    body: str = "dap"
    retry_after: int | None = None
    delay: float = 2.0
    fraction: float = 0.5
    error_type: str = "AccountUnderMaintenance"
    value_kind: str = "nul"
    column: str | None = None
    rows: int = 1
    seed: int = 0
    id: int = 0
    remaining: int | None = None
    hits: int = 0
    seen: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        """Build and validate a rule from its JSON form.

        Raises:
            FaultError: unknown keys, route or kind, or inconsistent settings.
        """
        if not isinstance(data, dict):
            raise FaultError("a fault rule must be a JSON object")
        allowed = {
            "route",
            "kind",
            "count",
            "rate",
            "table",
            "status",
            "body",
            "retry_after",
            "delay",
            "fraction",
            "error_type",
            "value_kind",
            "column",
            "rows",
            "seed",
        }
        unknown = set(data) - allowed
        if unknown:
            raise FaultError(f"unknown fault rule keys: {', '.join(sorted(unknown))}")
        try:
            rule = cls(
                route=str(data.get("route", "any")),
                kind=str(data["kind"]),
                count=None if data.get("count") is None else int(data["count"]),
                rate=None if data.get("rate") is None else float(data["rate"]),
                table=None if data.get("table") is None else str(data["table"]),
                status=int(data.get("status", 503)),
                body=str(data.get("body", "dap")),
                retry_after=None if data.get("retry_after") is None else int(data["retry_after"]),
                delay=float(data.get("delay", 2.0)),
                fraction=float(data.get("fraction", 0.5)),
                error_type=str(data.get("error_type", "AccountUnderMaintenance")),
                value_kind=str(data.get("value_kind", "nul")),
                column=None if data.get("column") is None else str(data["column"]),
                rows=int(data.get("rows", 1)),
                seed=int(data.get("seed", 0)),
            )
        except KeyError as exc:
            raise FaultError("a fault rule needs a 'kind'") from exc
        except (TypeError, ValueError) as exc:
            raise FaultError(f"bad fault rule value: {exc}") from exc
        rule.validate()
        return rule

    def validate(self) -> None:
        """Check the rule.

        Raises:
            FaultError: the rule is inconsistent.
        """
        if self.route not in ROUTES:
            raise FaultError(f"unknown route {self.route!r}; expected one of {', '.join(ROUTES)}")
        if self.kind not in KINDS:
            raise FaultError(
                f"unknown fault kind {self.kind!r}; expected one of {', '.join(KINDS)}"
            )
        routes = _KIND_ROUTES[self.kind]
        if routes is not None and self.route != "any" and self.route not in routes:
            raise FaultError(f"fault kind {self.kind!r} applies to {', '.join(routes)} only")
        if self.count is None and self.rate is None:
            self.count = 1
        if self.count is not None and self.rate is not None:
            raise FaultError("give either 'count' or 'rate', not both")
        if self.count is not None and self.count < 0:
            raise FaultError("'count' must not be negative")
        if self.rate is not None and not 0.0 <= self.rate <= 1.0:
            raise FaultError("'rate' must be between 0 and 1")
        if self.kind == "server_error" and self.status not in SERVER_ERROR_STATUSES:
            raise FaultError(f"'status' must be one of {SERVER_ERROR_STATUSES}")
        if self.body not in ("dap", "plain"):
            raise FaultError("'body' must be 'dap' or 'plain'")
        if not 0.0 <= self.fraction < 1.0:
            raise FaultError("'fraction' must be at least 0 and below 1")
        if self.error_type not in ACCOUNT_ERRORS:
            raise FaultError(f"'error_type' must be one of {', '.join(ACCOUNT_ERRORS)}")
        if self.delay < 0:
            raise FaultError("'delay' must not be negative")
        if self.kind == "poison":
            from emulator.poison import POISON_KINDS

            if self.value_kind not in POISON_KINDS:
                raise FaultError(f"'value_kind' must be one of {', '.join(POISON_KINDS)}")
            if not self.column or self.table is None:
                raise FaultError("a poison rule needs a 'table' and a 'column'")
            if self.rows < 1:
                raise FaultError("'rows' must be at least 1")
        if self.retry_after is not None and self.retry_after < 0:
            raise FaultError("'retry_after' must not be negative")
        self.remaining = self.count
        self._rng = random.Random(self.seed)

    def applies_to(self, route: str, table: str | None) -> bool:
        """Whether a request on ``route`` about ``table`` (``ns.name``) matches the rule."""
        if self.route != "any" and self.route != route:
            return False
        routes = _KIND_ROUTES[self.kind]
        if routes is not None and route not in routes:
            return False
        if self.table is not None:
            if table is None:
                return False
            if self.table != table and self.table != table.rpartition(".")[2]:
                return False
        return True

    def to_dict(self) -> dict[str, Any]:
        """JSON form, with the counters."""
        data = asdict(self)
        data.pop("_rng", None)
        return data


class FaultSet:
    """The active fault rules (thread-safe).

    Args:
        seed: base seed mixed into each rule's own seed.
    """

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, data: dict[str, Any] | list[dict[str, Any]]) -> list[FaultRule]:
        """Add one rule or a list of rules (all validated before any is added).

        Returns:
            The rules added.

        Raises:
            FaultError: a rule is not valid.
        """
        items = data.get("faults", data) if isinstance(data, dict) else data
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise FaultError("expected a rule object, a list of rules or {'faults': [...]}")
        rules = [FaultRule.from_dict(item) for item in items]
        with self._lock:
            for rule in rules:
                rule.id = self._next_id
                self._next_id += 1
                rule._rng = random.Random(f"{self._seed}:{rule.seed}:{rule.id}")
                self._rules.append(rule)
        return rules

    def clear(self) -> int:
        """Remove every rule.

        Returns:
            How many rules were removed.
        """
        with self._lock:
            n = len(self._rules)
            self._rules.clear()
        return n

    def list(self) -> list[dict[str, Any]]:
        """Every rule with its counters."""
        with self._lock:
            return [rule.to_dict() for rule in self._rules]

    def match(
        self, route: str, table: str | None = None, kinds: tuple[str, ...] | None = None
    ) -> FaultRule | None:
        """The first rule that fires for this request, if any (its counters are updated).

        Args:
            route: the request's route name.
            table: ``namespace.name`` when the request is about a table.
            kinds: only consider these kinds (None: all).
        """
        with self._lock:
            for rule in self._rules:
                if kinds is not None and rule.kind not in kinds:
                    continue
                if not rule.applies_to(route, table):
                    continue
                rule.seen += 1
                if rule.remaining is not None:
                    if rule.remaining <= 0:
                        continue
                    rule.remaining -= 1
                elif rule.rate is None or rule._rng.random() >= rule.rate:
                    continue
                rule.hits += 1
                return rule
        return None
