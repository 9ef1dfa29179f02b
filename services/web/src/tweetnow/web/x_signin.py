"""Sign in with X against the configured X hosts, every call to X on a deadline: OAuth 1.0a,
or OAuth 2.0 Authorization Code with PKCE when ``X_AUTH=oauth2``.

oauthlib signs the OAuth 1.0a requests; the calls themselves go over the standard
library (``x_http``), so the web's workers hold no HTTP client library (the tweeter
posts with tweepy). Each step of the sign-in (starting it, finishing it) gets
``X_TIMEOUT_S`` in all for its calls to X: the token request, then, when finishing,
the access token and the account's ``/2/users/me``.

With OAuth 2.0 the pending sign-in is named by its ``state`` and keeps the PKCE
code verifier server-side (where OAuth 1.0a keeps the request-token secret);
starting needs no call to X, finishing exchanges the code and asks who it is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from urllib.parse import parse_qsl, urlencode

from oauthlib.oauth1 import Client as OAuth1Client

from tweetnow.shared.settings import Settings
from tweetnow.shared.x_http import XAnswer, XCallFailed, XTimedOut, XUnreachable, call_x
from tweetnow.shared.x_oauth2 import (
    TokenRequestRefused,
    XOAuth2,
    XServerError,
    new_code_verifier,
    new_state,
)

#: Who the account is, on X_API_BASE_URL.
USERS_ME_PATH = "/2/users/me"


class Failure(Enum):
    #: X did not answer within the deadline.
    TIMED_OUT = "timed_out"
    #: X could not be reached, or answered with a server error.
    UNAVAILABLE = "unavailable"
    #: X answered, and said no (or something sign-in cannot use).
    REFUSED = "refused"


class XSignInError(Exception):
    """A step of signing in with X that could not be done, and why."""

    def __init__(self, failure: Failure, detail: str) -> None:
        super().__init__(detail)
        self.failure = failure


def _failure(exc: Exception) -> Failure:
    match exc:
        case XTimedOut():
            return Failure.TIMED_OUT
        case XUnreachable() | XServerError():
            return Failure.UNAVAILABLE
    return Failure.REFUSED


def _answered(answer: XAnswer, what: str) -> XAnswer:
    """``answer`` when it is a success; else the sign-in error its status says."""
    if answer.status < 400:
        return answer
    failure = Failure.UNAVAILABLE if answer.status >= 500 else Failure.REFUSED
    raise XSignInError(failure, f"{what}: X answered {answer.status} {answer.text[:200]}")


def _token(answer: XAnswer, what: str) -> tuple[str, str]:
    """The OAuth 1.0a token and secret of a token endpoint's form-encoded answer."""
    found = dict(parse_qsl(_answered(answer, what).text))
    if not found.get("oauth_token") or not found.get("oauth_token_secret"):
        raise XSignInError(Failure.REFUSED, f"{what}: no token in X's answer")
    return found["oauth_token"], found["oauth_token_secret"]


@dataclass(frozen=True)
class Authorization:
    url: str
    #: OAuth 1.0a: the request token; OAuth 2.0: the ``state``.
    request_token: str
    #: OAuth 1.0a: the request-token secret; OAuth 2.0: the PKCE code verifier.
    request_token_secret: str


@dataclass(frozen=True)
class XAccount:
    x_user_id: str
    username: str
    name: str
    access_token: str
    #: OAuth 1.0a: the token secret; OAuth 2.0: the refresh token.
    access_token_secret: str
    #: When an OAuth 2.0 access token runs out; None for OAuth 1.0a.
    expires_at: datetime | None = None


@dataclass(frozen=True)
class _XUser:
    id: str
    username: str
    name: str


def _x_user(answer: XAnswer) -> _XUser:
    """The account of X's ``/2/users/me`` answer."""
    data = _answered(answer, "who is this").json_object().get("data")
    if not isinstance(data, dict) or not data.get("id") or not data.get("username"):
        raise XSignInError(Failure.REFUSED, "who is this: no account in X's answer")
    username = str(data["username"])
    return _XUser(str(data["id"]), username, str(data.get("name") or username))


class _Deadline:
    """What is left of one sign-in step's time for calls to X."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def left(self) -> float:
        left = self._ends - time.monotonic()
        if left <= 0:
            raise XTimedOut(f"X did not answer within {self.seconds:g} s")
        return left


class XSignIn:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _token_url(self, endpoint: str) -> str:
        """Token requests go to X_API_BASE_URL (X, or the sandbox, maybe by a private name)."""
        return f"{self.settings.x_api_base_url}/oauth/{endpoint}"

    def _users_me_url(self) -> str:
        return self.settings.x_api_base_url + USERS_ME_PATH

    @property
    def oauth2(self) -> bool:
        return self.settings.x_auth == "oauth2"

    def _oauth1(self, **token: str) -> OAuth1Client:
        return OAuth1Client(
            self.settings.x_consumer_key, client_secret=self.settings.x_consumer_secret, **token
        )

    def _signed_call(self, client: OAuth1Client, method: str, url: str, left: float) -> XAnswer:
        url, headers, _ = client.sign(url, http_method=method)
        return call_x(method, url, timeout_s=left, headers=headers)

    def start(self) -> Authorization:
        """A request token (OAuth 1.0a) or a state and code verifier (OAuth 2.0), and the X
        page to send the browser to (X_AUTHORIZE_BASE_URL)."""
        if self.oauth2:
            state, verifier = new_state(), new_code_verifier()
            url = XOAuth2(self.settings).authorization_url(state, verifier)
            return Authorization(url=url, request_token=state, request_token_secret=verifier)
        deadline = _Deadline(self.settings.x_timeout_s)
        client = self._oauth1(callback_uri=self.settings.oauth_callback_url)
        try:
            answer = self._signed_call(
                client, "POST", self._token_url("request_token"), deadline.left()
            )
        except XCallFailed as exc:
            raise XSignInError(_failure(exc), f"request token: {exc}") from exc
        token, secret = _token(answer, "request token")
        query = urlencode({"oauth_token": token})
        return Authorization(
            url=f"{self.settings.x_authorize_base_url}/oauth/authenticate?{query}",
            request_token=token,
            request_token_secret=secret,
        )

    def finish(self, request_token: str, request_token_secret: str, verifier: str) -> XAccount:
        """The person's access token for the approved request token, and who they are on X."""
        deadline = _Deadline(self.settings.x_timeout_s)
        client = self._oauth1(
            resource_owner_key=request_token,
            resource_owner_secret=request_token_secret,
            verifier=verifier,
        )
        try:
            answer = self._signed_call(
                client, "POST", self._token_url("access_token"), deadline.left()
            )
            token, secret = _token(answer, "access token")
            as_account = self._oauth1(resource_owner_key=token, resource_owner_secret=secret)
            me = _x_user(
                self._signed_call(as_account, "GET", self._users_me_url(), deadline.left())
            )
        except XCallFailed as exc:
            raise XSignInError(_failure(exc), f"access token: {exc}") from exc
        return XAccount(
            x_user_id=me.id,
            username=me.username,
            name=me.name,
            access_token=token,
            access_token_secret=secret,
        )

    def finish_oauth2(self, code: str, verifier: str) -> XAccount:
        """OAuth 2.0: the tokens for the approved ``code`` (PKCE: with its verifier), and who
        they are on X."""
        deadline = _Deadline(self.settings.x_timeout_s)
        try:
            pair = XOAuth2(self.settings).exchange_code(code, verifier, timeout_s=deadline.left())
            if pair.refresh_token is None:
                raise XSignInError(
                    Failure.REFUSED, "oauth2 token: X granted no refresh token (offline.access)"
                )
            bearer = {"Authorization": f"Bearer {pair.access_token}"}
            me = _x_user(
                call_x("GET", self._users_me_url(), timeout_s=deadline.left(), headers=bearer)
            )
        except (XCallFailed, XServerError, TokenRequestRefused) as exc:
            raise XSignInError(_failure(exc), f"oauth2 token: {exc}") from exc
        return XAccount(
            x_user_id=me.id,
            username=me.username,
            name=me.name,
            access_token=pair.access_token,
            access_token_secret=pair.refresh_token,
            expires_at=pair.expires_at,
        )
