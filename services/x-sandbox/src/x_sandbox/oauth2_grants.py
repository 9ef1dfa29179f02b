"""OAuth 2.0 Authorization Code with PKCE, as X runs it: codes, access and refresh tokens.

A code is issued once a person approves, for one client, redirect URI and S256
code challenge, and is exchanged once. Access tokens live ``lifetime_s`` (X's
two hours unless a test shortens it); refresh tokens come with the
``offline.access`` scope and each works once: a refresh hands out a new pair
and forgets the old refresh token. Every refresh is counted per user, so tests
can tell how often a client refreshed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass

from x_sandbox.request_tokens import random_token
from x_sandbox.x_users import SandboxUser

#: X's access tokens last two hours.
ACCESS_TOKEN_LIFETIME_S = 2 * 60 * 60
#: An authorization code must be exchanged within 30 seconds on X; the sandbox allows ten
#: minutes, so a person can take a step through it by hand.
CODE_LIFETIME_S = 10 * 60
OFFLINE_SCOPE = "offline.access"
KNOWN_SCOPES = frozenset(
    {
        "tweet.read",
        "tweet.write",
        "users.read",
        "offline.access",
        "media.write",
        "like.read",
        "like.write",
        "follows.read",
        "follows.write",
    }
)


def s256(verifier: str) -> str:
    """The S256 code challenge for ``verifier`` (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class AuthorizationRequest:
    """What a client asks for on ``/2/oauth2/authorize``."""

    client_id: str
    redirect_uri: str
    scope: str
    state: str
    code_challenge: str


@dataclass
class _Code:
    request: AuthorizationRequest
    user: SandboxUser
    created_at: float


@dataclass
class _Access:
    user: SandboxUser
    scope: str
    expires_at: float


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str | None
    expires_in: int
    scope: str


class OAuth2Grants:
    """Not thread-safe: the caller holds the sandbox's lock."""

    def __init__(self) -> None:
        self.lifetime_s = ACCESS_TOKEN_LIFETIME_S
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, _Access] = {}
        self.refreshes: Counter[str] = Counter()

    def approve(self, request: AuthorizationRequest, user: SandboxUser, now: float) -> str:
        """A new authorization code for ``user``."""
        for code in [c for c, v in self._codes.items() if now - v.created_at > CODE_LIFETIME_S]:
            del self._codes[code]
        code = random_token(40)
        self._codes[code] = _Code(request, user, now)
        return code

    def exchange_code(
        self, code: str, client_id: str, redirect_uri: str, verifier: str, now: float
    ) -> tuple[SandboxUser, TokenPair] | str:
        """The user and a new pair, once; otherwise X's words for what was wrong."""
        grant = self._codes.pop(code, None)
        if grant is None or now - grant.created_at > CODE_LIFETIME_S:
            return "Value passed for the authorization code was invalid."
        if grant.request.client_id != client_id or grant.request.redirect_uri != redirect_uri:
            return "Value passed for the redirect uri or client id did not match."
        if not hmac.compare_digest(s256(verifier), grant.request.code_challenge):
            return "Value passed for the code verifier did not match the code challenge."
        return grant.user, self._issue(grant.user, grant.request.scope, now)

    def refresh(self, refresh_token: str, now: float) -> tuple[SandboxUser, TokenPair] | None:
        """A new pair for a refresh token, which is then spent; None when it is unknown,
        spent or revoked."""
        grant = self._refresh.pop(refresh_token, None)
        if grant is None:
            return None
        self.refreshes[grant.user.key] += 1
        return grant.user, self._issue(grant.user, grant.scope, now)

    def _issue(self, user: SandboxUser, scope: str, now: float) -> TokenPair:
        access = random_token(48)
        self._access[access] = _Access(user, scope, now + self.lifetime_s)
        refresh = None
        if OFFLINE_SCOPE in scope.split():
            refresh = random_token(48)
            self._refresh[refresh] = _Access(user, scope, now)
        return TokenPair(access, refresh, self.lifetime_s, scope)

    def user_for(self, access_token: str, now: float) -> SandboxUser | None:
        """The user a live access token acts for; None when unknown, expired or revoked."""
        grant = self._access.get(access_token)
        if grant is None or now >= grant.expires_at:
            return None
        return grant.user

    def expire(self, user_key: str, now: float) -> int:
        """Let the user's access tokens run out now (their refresh tokens stay good); how
        many there were."""
        live = [g for g in self._access.values() if g.user.key == user_key and g.expires_at > now]
        for grant in live:
            grant.expires_at = now
        return len(live)

    def revoke(self, user_key: str) -> int:
        """Forget every token of the user (lower-case name); how many there were."""
        gone = 0
        for tokens in (self._access, self._refresh):
            for token in [t for t, g in tokens.items() if g.user.key == user_key]:
                del tokens[token]
                gone += 1
        return gone

    def clear(self) -> None:
        self.lifetime_s = ACCESS_TOKEN_LIFETIME_S
        self._codes.clear()
        self._access.clear()
        self._refresh.clear()
        self.refreshes.clear()
