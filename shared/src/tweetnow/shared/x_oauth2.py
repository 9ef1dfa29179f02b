"""X's OAuth 2.0 (Authorization Code with PKCE, S256): the authorize link, and the token
endpoint's two grants (a code for a first pair, a refresh token for the next one).

The web starts and finishes sign-in with it; the tweeter refreshes with it. X's
app is a confidential client: each token request carries the client id and
secret in HTTP Basic auth. Every call to X is made on an ``XApiSession`` (the
configured host, ``X_TIMEOUT_S``).

oauthlib makes the PKCE pair, writes both grants' bodies and reads the token
endpoint's answers (its errors are OAuth 2.0's, by code). Its URI helpers are
not used: they refuse every http:// address unless a process-wide switch is
set, and the X sandbox speaks http; the authorize link is built here from the
same parameters, and the calls go on ``requests``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from oauthlib.oauth2 import OAuth2Error, WebApplicationClient

from .clock import utcnow
from .settings import Settings
from .x_api import XApiSession

#: What tweetnow asks X for: read and post tweets (with images), know who the account
#: is, and a refresh token (``offline.access``) so posting outlives the two-hour token.
SCOPES = ("tweet.read", "tweet.write", "users.read", "offline.access", "media.write")
#: On X_AUTHORIZE_BASE_URL: https://x.com/i/oauth2/authorize on X (the sandbox serves it too).
AUTHORIZE_PATH = "/i/oauth2/authorize"
TOKEN_PATH = "/2/oauth2/token"


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


def new_code_verifier() -> str:
    """A PKCE code verifier: 64 random characters from RFC 7636's alphabet (43-128)."""
    return str(WebApplicationClient(None).create_code_verifier(64))


def code_challenge(verifier: str) -> str:
    """The S256 challenge: base64url(sha256(verifier)) without padding."""
    client = WebApplicationClient(None)
    return str(client.create_code_challenge(verifier, "S256"))


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

    def _client(self) -> WebApplicationClient:
        return WebApplicationClient(self.settings.x_client_id)

    def exchange_code(self, code: str, verifier: str, *, timeout_s: float) -> TokenPair:
        body = self._client().prepare_request_body(
            code=code,
            redirect_uri=self.settings.oauth_callback_url,
            code_verifier=verifier,
            include_client_id=True,
        )
        return self._token_request(body, timeout_s)

    def refresh(self, refresh_token: str, *, timeout_s: float) -> TokenPair:
        """The next pair; the refresh token given is spent on X from then on."""
        body = self._client().prepare_refresh_body(
            refresh_token=refresh_token, client_id=self.settings.x_client_id
        )
        return self._token_request(body, timeout_s)

    def _token_request(self, form: str, timeout_s: float) -> TokenPair:
        session = XApiSession(self.settings.x_api_base_url, timeout_s)
        with session:
            response = session.post(
                self.settings.x_api_base_url + TOKEN_PATH,
                data=form,
                auth=(self.settings.x_client_id, self.settings.x_client_secret),
                headers={
                    "Accept": "application/json",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
        if response.status_code >= 500:
            response.raise_for_status()
        try:
            token = self._client().parse_request_body_response(response.text)
        except OAuth2Error as exc:
            raise TokenRequestRefused(
                exc.error or f"http_{response.status_code}",
                exc.description or "",
                response.status_code,
            ) from None
        except ValueError:  # not JSON, or no token in it
            body = _json(response)
            raise TokenRequestRefused(
                str(body.get("error") or f"http_{response.status_code}"),
                str(body.get("error_description") or ""),
                response.status_code,
            ) from None
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


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
