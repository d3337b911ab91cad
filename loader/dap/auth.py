"""Access tokens: login with client credentials, refresh before expiry, re-login after a 401.

``POST {base}/ids/auth/login`` with HTTP Basic auth and the form ``grant_type=client_credentials``
returns a JWT. Like the official client we read its ``exp`` claim without verifying the signature
(we are not the audience; the gateway verifies it) and log in again shortly before it expires.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from loader.dap.errors import UnexpectedResponseError

logger = logging.getLogger(__name__)

REFRESH_MARGIN_S = 300.0  # log in again when the token has less than this left …
REFRESH_FRACTION = 0.25  # … or less than this share of its lifetime, for short-lived tokens


def jwt_expiry(token: str) -> float:
    """The ``exp`` claim of a JWT, read without verifying the signature.

    Args:
        token: a compact JWT (``header.payload.signature``).

    Returns:
        Expiry as seconds since the epoch.

    Raises:
        UnexpectedResponseError: not a JWT, or no numeric ``exp``. The message never contains the
            token.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise UnexpectedResponseError("access token is not a JWT")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        raise UnexpectedResponseError("access token payload is not base64url JSON") from None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise UnexpectedResponseError("access token has no numeric 'exp' claim")
    return float(exp)


@dataclass(frozen=True)
class Token:
    """An access token and when to replace it.

    Attributes:
        value: the bearer token (never log it).
        expires_at: ``exp`` (epoch seconds).
        refresh_at: when to log in again (epoch seconds).
    """

    value: str
    expires_at: float
    refresh_at: float

    def __repr__(self) -> str:
        return f"Token(expires_at={self.expires_at}, refresh_at={self.refresh_at})"


def make_token(value: str, now: float) -> Token:
    """Wrap a fresh token, computing its refresh time.

    The refresh time is ``REFRESH_MARGIN_S`` before expiry, or a quarter of the remaining lifetime
    for tokens that live less than 20 minutes, so short-lived tokens do not force a login before
    every request.

    Args:
        value: the JWT.
        now: current time (epoch seconds).

    Returns:
        The token.
    """
    exp = jwt_expiry(value)
    lifetime = max(0.0, exp - now)
    margin = min(REFRESH_MARGIN_S, lifetime * REFRESH_FRACTION)
    return Token(value=value, expires_at=exp, refresh_at=exp - margin)


class TokenManager:
    """Holds the current token; logs in when there is none, it is about to expire, or it was
    rejected. Thread-safe: concurrent callers share one login.

    Args:
        login: performs the login request and returns the raw ``access_token``.
        clock: wall clock in epoch seconds (tests inject one).
    """

    def __init__(self, login: Callable[[], str], clock: Callable[[], float] = time.time) -> None:
        self._login = login
        self._clock = clock
        self._lock = threading.Lock()
        self._token: Token | None = None
        self.logins = 0

    def get(self) -> str:
        """A valid bearer token, logging in if needed.

        Returns:
            The token value.
        """
        with self._lock:
            if self._token is None or self._clock() >= self._token.refresh_at:
                self._refresh()
            assert self._token is not None
            return self._token.value

    def invalidate(self, rejected: str) -> None:
        """Forget ``rejected`` (the server answered 401 to it); the next :meth:`get` logs in.

        Args:
            rejected: the token value that was rejected. If another thread already replaced it,
                nothing happens.
        """
        with self._lock:
            if self._token is not None and self._token.value == rejected:
                self._token = None

    def _refresh(self) -> None:
        value = self._login()
        self._token = make_token(value, self._clock())
        self.logins += 1
        logger.debug(
            "logged in; token valid for %.0f s", max(0.0, self._token.expires_at - self._clock())
        )
