"""Talking to X for one user: a tweepy client built from their encrypted tokens, and
what X's answers mean for the worker.

- rate limited (429): wait until the reset X names, then try again;
- transient (5xx, network, timeouts): back off exponentially, until the job's
  last attempt;
- duplicate content (403): either our own earlier attempt landed, or a real duplicate;
- permanent (other 4xx: revoked token, too long, forbidden): fail at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

import redis
import requests
import tweepy

from tweetnow.shared import db
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.models import ConnectionMethod, Tweet
from tweetnow.shared.settings import Settings
from tweetnow.shared.x_http import XCallFailed
from tweetnow.shared.x_oauth2 import TokenRequestRefused, XServerError

from .oauth2_tokens import ConnectionBearerAuth, ConnectionTokens, RefreshBusy
from .x_api import XApiSession
from .x_media import MediaProcessingFailed, XMediaClient


@dataclass(frozen=True)
class PostingAccount:
    """The X account a tweet is posted as, with its encrypted tokens (OAuth 1.0a: token
    and secret; OAuth 2.0: access and refresh token, read afresh from the connection)."""

    x_user_id: str
    access_token: str  # encrypted (SecretBox)
    access_secret: str  # encrypted (SecretBox)
    #: Its connection; None for a tweet written without one (its author's sign-in tokens).
    connection_id: int | None = None
    method: ConnectionMethod = ConnectionMethod.OAUTH1

    @property
    def oauth2(self) -> bool:
        return self.method is ConnectionMethod.OAUTH2 and self.connection_id is not None

    @classmethod
    def of(cls, tweet: Tweet) -> PostingAccount:
        connection = tweet.connection if tweet.connection_id is not None else None
        if connection is None:
            user = tweet.user
            return cls(user.x_user_id, user.x_access_token, user.x_access_secret)
        return cls(
            connection.x_user_id,
            connection.access_token,
            connection.access_secret,
            connection.id,
            ConnectionMethod(connection.method),
        )


class OAuth2UserClient(tweepy.Client):
    """A tweepy client in OAuth 2.0 user context: every call goes with the session's
    ``ConnectionBearerAuth``, whatever ``user_auth`` the caller names (tweepy would
    otherwise sign OAuth 1.0a, or send an app-only bearer token)."""

    def request(
        self,
        method: str,
        route: str,
        params: Any = None,
        json: Any = None,
        user_auth: bool = False,
    ) -> Any:
        return super().request(method, route, params=params, json=json, user_auth=False)


class XClientFactory:
    def __init__(
        self, settings: Settings, box: SecretBox, redis_client: redis.Redis | None = None
    ) -> None:
        self.settings = settings
        self.box = box
        self.tokens = ConnectionTokens(
            settings, box, redis_client if redis_client is not None else db.redis_client(settings)
        )

    def _bearer(self, account: PostingAccount) -> ConnectionBearerAuth:
        assert account.connection_id is not None
        return ConnectionBearerAuth(self.tokens, account.connection_id)

    def for_account(self, account: PostingAccount) -> tweepy.Client:
        if account.oauth2:
            oauth2_client = OAuth2UserClient()
            oauth2_client.session = XApiSession(
                self.settings.x_api_base_url, self.settings.x_timeout_s
            )
            oauth2_client.session.auth = self._bearer(account)
            return oauth2_client
        client = tweepy.Client(
            consumer_key=self.settings.x_consumer_key,
            consumer_secret=self.settings.x_consumer_secret,
            access_token=self.box.decrypt(account.access_token),
            access_token_secret=self.box.decrypt(account.access_secret),
        )
        client.session = XApiSession(self.settings.x_api_base_url, self.settings.x_timeout_s)
        return client

    def media_for_account(self, account: PostingAccount) -> XMediaClient:
        """Image uploads in the account's name, on a session of their own (so the posting
        client's last headers stay those of the post, for X's quotas)."""
        session = XApiSession(self.settings.x_api_base_url, self.settings.x_timeout_s)
        if account.oauth2:
            return XMediaClient(session, self._bearer(account))
        auth = tweepy.OAuth1UserHandler(
            self.settings.x_consumer_key,
            self.settings.x_consumer_secret,
            self.box.decrypt(account.access_token),
            self.box.decrypt(account.access_secret),
        ).apply_auth()
        return XMediaClient(session, auth)


DUPLICATE_MARKER = "duplicate content"


class Outcome(Enum):
    RATE_LIMITED = "rate_limited"
    TRANSIENT = "transient"
    DUPLICATE = "duplicate"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class XFailure:
    outcome: Outcome
    reason: str  # in words a person can act on
    retry_after_s: float | None = None

    @property
    def permanent(self) -> bool:
        """Trying again can never succeed: the tweet fails at once (``jobs.final_failure``)."""
        return self.outcome in (Outcome.DUPLICATE, Outcome.PERMANENT)


def _x_message(exc: tweepy.HTTPException) -> str:
    return "; ".join(m for m in exc.api_messages if m) or str(exc).replace("\n", ": ")


def _reset_in_s(exc: tweepy.TooManyRequests, now: float) -> float:
    reset = getattr(exc, "reset_time", None)
    if reset is None:
        header = exc.response.headers.get("x-rate-limit-reset")
        reset = int(header) if header and header.isdigit() else None
    if reset is None:
        return 60.0  # X always names a reset; a minute is a safe guess if it did not
    return max(float(reset) - now, 0.0) + 1.0  # the reset is whole seconds: add one


def classify(exc: BaseException, *, now: float | None = None) -> XFailure | None:
    """What this exception from a call to X means, or None if it is not X's doing."""
    now = time.time() if now is None else now
    if isinstance(exc, tweepy.TooManyRequests):
        wait = _reset_in_s(exc, now)
        return XFailure(Outcome.RATE_LIMITED, "X's rate limit was reached", retry_after_s=wait)
    if isinstance(exc, tweepy.TwitterServerError):
        return XFailure(Outcome.TRANSIENT, f"X is having trouble ({_x_message(exc)})")
    if isinstance(exc, tweepy.Forbidden) and DUPLICATE_MARKER in _x_message(exc).lower():
        return XFailure(
            Outcome.DUPLICATE, "X refused it as a duplicate of a tweet already on the account"
        )
    if isinstance(exc, tweepy.Unauthorized):
        return XFailure(
            Outcome.PERMANENT,
            "X refused the account's credentials (access revoked?): sign in with X again",
        )
    if isinstance(exc, tweepy.HTTPException):
        status = getattr(exc.response, "status_code", None)
        if status is not None and 400 <= status < 500:
            return XFailure(Outcome.PERMANENT, f"X refused the tweet: {_x_message(exc)}")
        return XFailure(Outcome.TRANSIENT, f"X answered {_x_message(exc)}")
    if isinstance(exc, MediaProcessingFailed):
        return XFailure(Outcome.PERMANENT, f"X refused an image: {exc}")
    if isinstance(exc, TokenRequestRefused):
        return XFailure(
            Outcome.TRANSIENT,
            f"X refused to refresh the account's tokens ({exc}): check X_CLIENT_ID/X_CLIENT_SECRET",
        )
    if isinstance(exc, XServerError):
        return XFailure(Outcome.TRANSIENT, f"X could not refresh the account's tokens: {exc}")
    if isinstance(exc, RefreshBusy):
        return XFailure(Outcome.TRANSIENT, "the account's X tokens were being refreshed")
    if isinstance(exc, TimeoutError):
        return XFailure(Outcome.TRANSIENT, f"X took too long: {exc}")
    if isinstance(exc, requests.RequestException | XCallFailed):
        return XFailure(Outcome.TRANSIENT, f"could not reach X ({type(exc).__name__})")
    return None
