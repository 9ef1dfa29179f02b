"""OAuth 1.0a signature checks with oauthlib, for X-style consumer keys and tokens.

Each check names where the token secret comes from: none (request token),
the request token's (access token exchange) or the access token's (API calls).
A signed request is accepted once only: its nonce is remembered for as long as
its timestamp could still pass.
"""

from __future__ import annotations

import hmac
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass

import falcon
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

from x_sandbox.clock import Clock
from x_sandbox.request_body import raw_body

#: Looks up the secret of an OAuth token; None for a token the sandbox does not know.
TokenSecrets = Callable[[str], str | None]

_DUMMY_SECRET = "x-sandbox-dummy-secret"

#: How far a request's ``oauth_timestamp`` may be from the sandbox's clock.
TIMESTAMP_LIFETIME_S = 600


class NonceLedger:
    """The nonces seen recently, swept now and then of those too old to be replayed."""

    def __init__(self, lifetime_s: float) -> None:
        self._lifetime_s = lifetime_s
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str, str, str], float] = {}
        self._next_sweep = 0.0

    def first_use(
        self, client_key: str, timestamp: str, nonce: str, token: str, now: float
    ) -> bool:
        """Record the nonce; False if this exact one was already used."""
        key = (client_key, timestamp, nonce, token)
        with self._lock:
            if now >= self._next_sweep:
                horizon = now - 2 * self._lifetime_s
                self._seen = {k: t for k, t in self._seen.items() if t >= horizon}
                self._next_sweep = now + self._lifetime_s / 10
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


@dataclass(frozen=True)
class SignedRequest:
    token: str | None
    verifier: str | None
    callback: str | None


class _Validator(RequestValidator):
    enforce_ssl = False
    safe_characters = frozenset(string.ascii_letters + string.digits + "-_.~")
    client_key_length = (1, 256)
    request_token_length = (1, 256)
    access_token_length = (1, 256)
    nonce_length = (8, 256)
    verifier_length = (1, 256)
    timestamp_lifetime = TIMESTAMP_LIFETIME_S
    dummy_client = "x-sandbox-dummy-client"
    dummy_request_token = "x-sandbox-dummy-request-token"
    dummy_access_token = "x-sandbox-dummy-access-token"

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        token_secrets: TokenSecrets,
        nonces: NonceLedger,
        clock: Clock,
    ) -> None:
        super().__init__()
        self._consumer_key = consumer_key
        self._consumer_secret = consumer_secret
        self._token_secrets = token_secrets
        self._nonces = nonces
        self._clock = clock

    def validate_client_key(self, client_key: str, request: OAuthRequest) -> bool:
        return hmac.compare_digest(client_key.encode(), self._consumer_key.encode())

    def get_client_secret(self, client_key: str, request: OAuthRequest) -> str:
        if hmac.compare_digest(client_key.encode(), self._consumer_key.encode()):
            return self._consumer_secret
        return _DUMMY_SECRET

    def get_access_token_secret(self, client_key: str, token: str, request: OAuthRequest) -> str:
        return self._token_secrets(token) or _DUMMY_SECRET

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: OAuthRequest,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        token = request.resource_owner_key or ""
        return self._nonces.first_use(client_key, timestamp, nonce, token, self._clock.now())


class SignatureChecker:
    def __init__(self, consumer_key: str, consumer_secret: str, clock: Clock) -> None:
        self._consumer_key = consumer_key
        self._consumer_secret = consumer_secret
        self._nonces = NonceLedger(TIMESTAMP_LIFETIME_S)
        self._clock = clock

    def check(self, req: falcon.Request, token_secrets: TokenSecrets) -> SignedRequest | None:
        """The OAuth parameters of a correctly signed request, or None."""
        validator = _Validator(
            self._consumer_key, self._consumer_secret, token_secrets, self._nonces, self._clock
        )
        # Only a form-encoded body is signed; a multipart one (a media segment) is not.
        form = (req.content_type or "").startswith("application/x-www-form-urlencoded")
        try:
            body = raw_body(req).decode() if form else ""
        except UnicodeDecodeError:
            return None
        headers = dict(req.headers)
        try:
            valid, request = SignatureOnlyEndpoint(validator).validate_request(
                req.uri, req.method, body, headers
            )
        except ValueError:  # oauthlib refuses malformed encodings outright
            return None
        if not valid or request is None:
            return None
        return SignedRequest(
            token=request.resource_owner_key,
            verifier=request.verifier,
            callback=request.redirect_uri,
        )
