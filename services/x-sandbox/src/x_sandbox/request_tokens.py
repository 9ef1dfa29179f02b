"""Request tokens of the three-legged OAuth 1.0a flow, between "request" and "access".

A request token is created for a callback, approved once by a person (which
names the user and issues a verifier) or denied, and exchanged once for an
access token. Unused tokens expire.
"""

from __future__ import annotations

import hmac
import secrets
import string
from dataclasses import dataclass

from x_sandbox.x_users import SandboxUser

#: How long a request token lives before it is approved and exchanged.
REQUEST_TOKEN_LIFETIME_S = 15 * 60

_ALPHABET = string.ascii_letters + string.digits


def random_token(length: int) -> str:
    """A random, URL-safe string: a request token, its secret or a verifier."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass
class PendingAuthorization:
    token: str
    secret: str
    callback: str
    created_at: float
    user: SandboxUser | None = None
    verifier: str | None = None

    @property
    def approved(self) -> bool:
        return self.verifier is not None


class RequestTokens:
    """Not thread-safe: the caller holds the sandbox's lock."""

    def __init__(self) -> None:
        self._pending: dict[str, PendingAuthorization] = {}

    def _live(self, token: str | None, now: float) -> PendingAuthorization | None:
        pending = self._pending.get(token or "")
        if pending is None:
            return None
        if now - pending.created_at > REQUEST_TOKEN_LIFETIME_S:
            del self._pending[pending.token]
            return None
        return pending

    def create(self, callback: str, now: float) -> PendingAuthorization:
        expired = [
            p.token for p in self._pending.values() if now - p.created_at > REQUEST_TOKEN_LIFETIME_S
        ]
        for token in expired:
            del self._pending[token]
        pending = PendingAuthorization(
            token=random_token(32), secret=random_token(32), callback=callback, created_at=now
        )
        self._pending[pending.token] = pending
        return pending

    def secret_for(self, token: str, now: float) -> str | None:
        pending = self._live(token, now)
        return None if pending is None else pending.secret

    def awaiting_consent(self, token: str | None, now: float) -> PendingAuthorization | None:
        pending = self._live(token, now)
        return None if pending is None or pending.approved else pending

    def approve(self, token: str, user: SandboxUser, now: float) -> PendingAuthorization | None:
        pending = self.awaiting_consent(token, now)
        if pending is not None:
            pending.user = user
            pending.verifier = random_token(32)
        return pending

    def deny(self, token: str, now: float) -> PendingAuthorization | None:
        pending = self.awaiting_consent(token, now)
        if pending is not None:
            del self._pending[token]
        return pending

    def exchange(self, token: str, verifier: str | None, now: float) -> SandboxUser | None:
        """The approved user, once; None for an unknown token or a wrong verifier."""
        pending = self._live(token, now)
        if pending is None or pending.verifier is None or pending.user is None:
            return None
        if not hmac.compare_digest((verifier or "").encode(), pending.verifier.encode()):
            return None
        del self._pending[token]
        return pending.user

    def clear(self) -> None:
        self._pending.clear()
