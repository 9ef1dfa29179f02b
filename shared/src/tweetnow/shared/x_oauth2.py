"""X's OAuth 2.0 (Authorization Code with PKCE, S256): the authorize link, and the token
endpoint's two grants (a code for a first pair, a refresh token for the next one).

The web starts and finishes sign-in with it; the tweeter refreshes with it. X's
app is a confidential client: each token request carries the client id and
secret in HTTP Basic auth. Every call goes to the configured host (X_API_BASE_URL)
with ``call_x``, on the caller's deadline.

The client side of these two grants is small and written here: the PKCE pair
(RFC 7636), two form bodies, and the token endpoint's JSON answer, whose errors
are OAuth 2.0's, by code (RFC 6749 5.2). oauthlib's client would bring its whole
OAuth 2.0 package (69 modules, about 2 MiB in each web worker) for them.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from .clock import utcnow
from .settings import Settings
from .x_http import call_x

#: What tweetnow asks X for: read and post tweets (with images), know who the account
#: is, and a refresh token (``offline.access``) so posting outlives the two-hour token.
SCOPES = ("tweet.read", "tweet.write", "users.read", "offline.access", "media.write")
#: On X_AUTHORIZE_BASE_URL: https://x.com/i/oauth2/authorize on X (the sandbox serves it too).
AUTHORIZE_PATH = "/i/oauth2/authorize"
TOKEN_PATH = "/2/oauth2/token"


class XServerError(Exception):
    """X's token endpoint answered with a server error (5xx): worth asking again later."""

    def __init__(self, status: int) -> None:
        super().__init__(f"X's token endpoint answered {status}")
        self.status = status


class TokenRequestRefused(Exception):
    """X's token endpoint said no: ``error`` is OAuth 2.0's code (``invalid_grant``, ...)."""

    def __init__(self, error: str, description: str, status: int) -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.status = status

    @property
    def grant_refused(self) -> bool:
        """The code or refresh token itself is spent, revoked or unknown: only a new
        authorization helps."""
        return self.error in ("invalid_grant", "invalid_request") and self.status < 500


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    #: None when X gave none (``offline.access`` not granted).
    refresh_token: str | None
    expires_at: datetime | None


#: RFC 7636's code verifier characters (its "unreserved").
VERIFIER_ALPHABET = string.ascii_letters + string.digits + "-._~"


def new_code_verifier() -> str:
    """A PKCE code verifier: 64 random characters from RFC 7636's alphabet (43-128)."""
    return "".join(secrets.choice(VERIFIER_ALPHABET) for _ in range(64))


def code_challenge(verifier: str) -> str:
    """The S256 challenge: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def new_state() -> str:
    return secrets.token_urlsafe(32)


class XOAuth2:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def authorization_url(self, state: str, verifier: str) -> str:
        """Where to send the person (X_AUTHORIZE_BASE_URL) to let tweetnow in."""
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.settings.x_client_id,
                "redirect_uri": self.settings.oauth_callback_url,
                "scope": " ".join(SCOPES),
                "state": state,
                "code_challenge": code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        return f"{self.settings.x_authorize_base_url}{AUTHORIZE_PATH}?{query}"

    def exchange_code(self, code: str, verifier: str, *, timeout_s: float) -> TokenPair:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.settings.oauth_callback_url,
            "code_verifier": verifier,
            "client_id": self.settings.x_client_id,
        }
        return self._token_request(urlencode(form), timeout_s)

    def refresh(self, refresh_token: str, *, timeout_s: float) -> TokenPair:
        """The next pair; the refresh token given is spent on X from then on."""
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self.settings.x_client_id,
        }
        return self._token_request(urlencode(form), timeout_s)

    def _token_request(self, form: str, timeout_s: float) -> TokenPair:
        """Raises ``XServerError`` on a 5xx, ``TokenRequestRefused`` on any other answer
        without a token, and ``x_http``'s ``XCallFailed`` when there was no answer."""
        answer = call_x(
            "POST",
            self.settings.x_api_base_url + TOKEN_PATH,
            timeout_s=timeout_s,
            body=form.encode(),
            headers={
                "Accept": "application/json",
                "Authorization": self._basic_auth(),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        if answer.status >= 500:
            raise XServerError(answer.status)
        token = answer.json_object()
        if answer.status >= 400 or "error" in token or not token.get("access_token"):
            unnamed = f"http_{answer.status}" if answer.status >= 400 else "missing_token"
            raise TokenRequestRefused(
                str(token.get("error") or unnamed),
                str(token.get("error_description") or ""),
                answer.status,
            )
        expires_in = token.get("expires_in")
        expires_at = (
            utcnow() + timedelta(seconds=float(expires_in))
            if isinstance(expires_in, int | float)
            else None
        )
        refresh_token = token.get("refresh_token")
        return TokenPair(
            access_token=str(token["access_token"]),
            refresh_token=str(refresh_token) if refresh_token else None,
            expires_at=expires_at,
        )

    def _basic_auth(self) -> str:
        """HTTP Basic with the client id and secret: how X's confidential clients
        authenticate at the token endpoint."""
        pair = f"{self.settings.x_client_id}:{self.settings.x_client_secret}"
        return "Basic " + base64.b64encode(pair.encode()).decode()
