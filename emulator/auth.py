"""Client credentials and the emulator's JWT access tokens.

The official client decodes the token without checking the signature and reads only ``exp``
(dap-protocol.md section 1.3). The emulator signs tokens with HS256 under a per-process secret and
checks them properly, so it can refuse expired tokens and tokens revoked by the ``token_expiry``
fault: every token carries an issue counter (``gen``), and revoking sets a floor below which
tokens are refused until the client logs in again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

DEFAULT_CLIENT_ID = "us-east-1#emulator"
DEFAULT_CLIENT_SECRET = "emulator-secret"  # noqa: S105 - a documented test credential
DEFAULT_TOKEN_LIFETIME = 3600.0
SCOPE = "dap:query"
ISSUER = "cd2-emulator"


class TokenError(Exception):
    """A token the emulator refuses (malformed, bad signature, expired or revoked)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """The ``(client_id, secret)`` of an ``Authorization: Basic`` header, or None."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


@dataclass
class Claims:
    """The verified claims of an access token."""

    subject: str
    issued_at: int
    expires_at: int
    generation: int


class TokenIssuer:
    """Issues and verifies HS256 access tokens.

    Args:
        client_id: the accepted client id.
        client_secret: the accepted client secret.
        lifetime: token lifetime in seconds (``expires_in``).
    """

    def __init__(
        self,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        lifetime: float = DEFAULT_TOKEN_LIFETIME,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.lifetime = lifetime
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._generation = 0
        self._floor = 0  # tokens with gen < floor are revoked

    def check_credentials(self, client_id: str, secret: str) -> bool:
        """Whether the credentials match (constant-time comparison)."""
        ok_id = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        ok_secret = hmac.compare_digest(secret.encode(), self.client_secret.encode())
        return ok_id and ok_secret

    def issue(self, subject: str) -> tuple[str, int]:
        """A new token for ``subject``.

        Returns:
            ``(token, expires_in)`` with ``expires_in`` in whole seconds.
        """
        with self._lock:
            self._generation += 1
            gen = self._generation
        now = int(time.time())
        expires_in = max(1, int(round(self.lifetime)))
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": subject,
            "iat": now,
            "exp": now + expires_in,
            "jti": str(uuid.uuid4()),
            "gen": gen,
        }
        header = {"alg": "HS256", "typ": "JWT"}
        signing_input = (
            _b64(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64(json.dumps(claims, separators=(",", ":")).encode())
        )
        sig = hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(sig)}", expires_in

    def verify(self, token: str) -> Claims:
        """Verify a token.

        Raises:
            TokenError: malformed, wrongly signed, expired or revoked.
        """
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("malformed access token")
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii", "replace")
        expected = hmac.new(self._key, signing_input, hashlib.sha256).digest()
        try:
            sig = _unb64(parts[2])
            claims = json.loads(_unb64(parts[1]))
        except (binascii.Error, ValueError) as exc:
            raise TokenError("malformed access token") from exc
        if not hmac.compare_digest(sig, expected):
            raise TokenError("access token signature is not valid")
        try:
            result = Claims(
                str(claims["sub"]), int(claims["iat"]), int(claims["exp"]), int(claims["gen"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TokenError("malformed access token") from exc
        if result.expires_at <= time.time():
            raise TokenError("access token has expired")
        if result.generation <= self._floor:
            raise TokenError("access token has expired")
        return result

    def revoke_all(self) -> None:
        """Make every token issued so far invalid (the ``token_expiry`` fault)."""
        with self._lock:
            self._floor = self._generation

    @property
    def issued(self) -> int:
        """How many tokens were issued."""
        return self._generation
