"""Sign in with X against the configured X hosts, every call to X on a deadline: OAuth 1.0a,
or OAuth 2.0 Authorization Code with PKCE when ``X_AUTH=oauth2``.

tweepy's ``OAuth1UserHandler`` makes its requests_oauthlib sessions itself and
gives them no timeout: a sign-in would hold a web thread for as long as X
kept the connection open. The two token exchanges are made here with
requests_oauthlib directly (what tweepy uses underneath), and the account
lookup with tweepy's client on an ``XApiSession``; each step of the sign-in
(starting it, finishing it) gets ``X_TIMEOUT_S`` in all for its calls to X.

With OAuth 2.0 the pending sign-in is named by its ``state`` and keeps the PKCE
code verifier server-side (where OAuth 1.0a keeps the request-token secret);
starting needs no call to X, finishing exchanges the code and asks who it is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import requests
import tweepy
from requests_oauthlib import OAuth1Session
from requests_oauthlib.oauth1_session import TokenRequestDenied

from tweetnow.shared.settings import Settings
from tweetnow.shared.x_api import XApiSession
from tweetnow.shared.x_oauth2 import TokenRequestRefused, XOAuth2, new_code_verifier, new_state


class Failure(Enum):
    #: X did not answer within the deadline.
    TIMED_OUT = "timed_out"
    #: X could not be reached, or answered with a server error.
    UNAVAILABLE = "unavailable"
    #: X answered, and said no (or something sign-in cannot use). A token request
    #: refused or unreadable raises ValueError (requests_oauthlib's errors are ones).
    REFUSED = "refused"


class XSignInError(Exception):
    """A step of signing in with X that could not be done, and why."""

    def __init__(self, failure: Failure, detail: str) -> None:
        super().__init__(detail)
        self.failure = failure


def _failure(exc: Exception) -> Failure:
    match exc:
        case requests.Timeout():
            return Failure.TIMED_OUT
        case TokenRequestDenied() if exc.status_code >= 500:
            return Failure.UNAVAILABLE
        case TokenRequestRefused():
            return Failure.REFUSED
        case tweepy.TwitterServerError() | requests.RequestException():
            return Failure.UNAVAILABLE
    return Failure.REFUSED


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


class _Deadline:
    """What is left of one sign-in step's time for calls to X."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def left(self) -> float:
        left = self._ends - time.monotonic()
        if left <= 0:
            raise requests.Timeout(f"X did not answer within {self.seconds:g} s")
        return left


class XSignIn:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _token_url(self, endpoint: str) -> str:
        """Token requests go to X_API_BASE_URL (X, or the sandbox, maybe by a private name)."""
        return f"{self.settings.x_api_base_url}/oauth/{endpoint}"

    @property
    def oauth2(self) -> bool:
        return self.settings.x_auth == "oauth2"

    def start(self) -> Authorization:
        """A request token (OAuth 1.0a) or a state and code verifier (OAuth 2.0), and the X
        page to send the browser to (X_AUTHORIZE_BASE_URL)."""
        if self.oauth2:
            state, verifier = new_state(), new_code_verifier()
            url = XOAuth2(self.settings).authorization_url(state, verifier)
            return Authorization(url=url, request_token=state, request_token_secret=verifier)
        deadline = _Deadline(self.settings.x_timeout_s)
        oauth = OAuth1Session(
            self.settings.x_consumer_key,
            client_secret=self.settings.x_consumer_secret,
            callback_uri=self.settings.oauth_callback_url,
        )
        try:
            token = oauth.fetch_request_token(
                self._token_url("request_token"), timeout=deadline.left()
            )
            url = oauth.authorization_url(
                f"{self.settings.x_authorize_base_url}/oauth/authenticate"
            )
            return Authorization(
                url=url,
                request_token=token["oauth_token"],
                request_token_secret=token["oauth_token_secret"],
            )
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise XSignInError(_failure(exc), f"request token: {exc}") from exc

    def finish(self, request_token: str, request_token_secret: str, verifier: str) -> XAccount:
        """The person's access token for the approved request token, and who they are on X."""
        deadline = _Deadline(self.settings.x_timeout_s)
        oauth = OAuth1Session(
            self.settings.x_consumer_key,
            client_secret=self.settings.x_consumer_secret,
            resource_owner_key=request_token,
            resource_owner_secret=request_token_secret,
            verifier=verifier,
        )
        try:
            answer = oauth.fetch_access_token(
                self._token_url("access_token"), timeout=deadline.left()
            )
            token, secret = answer["oauth_token"], answer["oauth_token_secret"]
            client = tweepy.Client(
                consumer_key=self.settings.x_consumer_key,
                consumer_secret=self.settings.x_consumer_secret,
                access_token=token,
                access_token_secret=secret,
            )
            client.session = XApiSession(self.settings.x_api_base_url, deadline.left())
            me = client.get_me(user_auth=True).data
        except (requests.RequestException, tweepy.TweepyException, ValueError, KeyError) as exc:
            raise XSignInError(_failure(exc), f"access token: {exc}") from exc
        return XAccount(
            x_user_id=str(me.id),
            username=me.username,
            name=me.name or me.username,
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
                raise ValueError("X granted no refresh token (offline.access)")
            client = tweepy.Client(bearer_token=pair.access_token)
            client.session = XApiSession(self.settings.x_api_base_url, deadline.left())
            me = client.get_me(user_auth=False).data
        except (
            requests.RequestException,
            tweepy.TweepyException,
            TokenRequestRefused,
            ValueError,
            KeyError,
        ) as exc:
            raise XSignInError(_failure(exc), f"oauth2 token: {exc}") from exc
        return XAccount(
            x_user_id=str(me.id),
            username=me.username,
            name=me.name or me.username,
            access_token=pair.access_token,
            access_token_secret=pair.refresh_token,
            expires_at=pair.expires_at,
        )
