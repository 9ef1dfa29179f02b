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

import requests
import tweepy

from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.models import User
from tweetnow.shared.settings import Settings
from tweetnow.shared.x_api import XApiSession

from .x_media import MediaProcessingFailed, XMediaClient


class XClientFactory:
    def __init__(self, settings: Settings, box: SecretBox) -> None:
        self.settings = settings
        self.box = box

    def for_user(self, user: User) -> tweepy.Client:
        client = tweepy.Client(
            consumer_key=self.settings.x_consumer_key,
            consumer_secret=self.settings.x_consumer_secret,
            access_token=self.box.decrypt(user.x_access_token),
            access_token_secret=self.box.decrypt(user.x_access_secret),
        )
        client.session = XApiSession(self.settings.x_api_base_url, self.settings.x_timeout_s)
        return client

    def media_for_user(self, user: User) -> XMediaClient:
        """Image uploads in the user's name, on a session of their own (so the posting
        client's last headers stay those of the post, for X's quotas)."""
        auth = tweepy.OAuth1UserHandler(
            self.settings.x_consumer_key,
            self.settings.x_consumer_secret,
            self.box.decrypt(user.x_access_token),
            self.box.decrypt(user.x_access_secret),
        ).apply_auth()
        session = XApiSession(self.settings.x_api_base_url, self.settings.x_timeout_s)
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
    if isinstance(exc, TimeoutError):
        return XFailure(Outcome.TRANSIENT, f"X took too long: {exc}")
    if isinstance(exc, requests.RequestException):
        return XFailure(Outcome.TRANSIENT, f"could not reach X ({type(exc).__name__})")
    return None
