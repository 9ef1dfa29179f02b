"""What happens to a ``POST /2/tweets`` once it is authenticated and within its rate limit.

Injected latency comes first, before anything is decided or recorded: a client
that gives up (or dies) during it still leaves the tweet posted, as when X
accepts a tweet but the answer never reaches the worker.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from twitter_text import parse_tweet

from x_sandbox.clock import Clock
from x_sandbox.faults import DUPLICATE, ScriptedError
from x_sandbox.media import MediaRefused
from x_sandbox.state import SandboxState
from x_sandbox.tweets import SandboxTweet
from x_sandbox.x_problems import (
    XProblem,
    duplicate_content,
    invalid_request,
    problem,
    too_many_requests,
    unauthorized,
)
from x_sandbox.x_users import SandboxUser

log = logging.getLogger(__name__)

MAX_WEIGHTED_LENGTH = 280
TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text "
    "length see https://github.com/twitter/twitter-text."
)
REPLY_NOT_VISIBLE = "You attempted to reply to a Tweet that is deleted or not visible to you."


def scripted_problem(error: ScriptedError, reset_after_s: float, now: float) -> XProblem:
    if error == DUPLICATE:
        return duplicate_content()
    assert isinstance(error, int)
    if error == 429:
        reset = math.ceil(now + reset_after_s)
        return too_many_requests({"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
    if error == 401:
        return unauthorized()
    if error == 400:
        return invalid_request({}, "The sandbox was told to refuse this request.")
    return problem(error)


@dataclass(frozen=True)
class TweetRequest:
    """What a ``POST /2/tweets`` asks for (the parts of X's request the sandbox knows)."""

    text: str
    in_reply_to_tweet_id: str | None
    media_ids: list[str]


def check_length(text: str) -> None:
    """X's 400 for a post over 280 by its weighted count (URLs 23, CJK and emoji 2)."""
    if parse_tweet(text).weightedLength > MAX_WEIGHTED_LENGTH:
        raise invalid_request({"text": [text]}, TOO_LONG)


class TweetIntake:
    """Takes a tweet in, or refuses it the way X would (or the faults say to)."""

    def __init__(self, state: SandboxState, clock: Clock) -> None:
        self._state = state
        self._clock = clock

    def _reply_to(self, tweet_id: str | None) -> int | None:
        """The post replied to, which must exist; X's 403 if it does not (any more)."""
        if tweet_id is None:
            return None
        if self._state.tweets.get(int(tweet_id)) is None:
            raise problem(403, REPLY_NOT_VISIBLE)
        return int(tweet_id)

    def post(self, author: SandboxUser, request: TweetRequest) -> SandboxTweet:
        with self._state.lock:
            latency_ms = self._state.faults.latency_ms
        self._clock.sleep(latency_ms / 1000)
        with self._state.lock:
            now = self._clock.now()
            scripted = self._state.faults.take_next_error()
            if scripted is not None:
                log.info("tweet_refused_by_fault username=%s fault=%s", author.username, scripted)
                raise scripted_problem(scripted, self._state.faults.reset_after_s, now)
            text = request.text
            check_length(text)
            reply_to = self._reply_to(request.in_reply_to_tweet_id)
            try:
                media = self._state.media.postable(author.id, request.media_ids, now)
            except MediaRefused as error:
                raise invalid_request({error.parameter: [error.value]}, str(error)) from None
            if text and self._state.tweets.is_duplicate(author.id, text):
                log.info("tweet_refused_as_duplicate username=%s", author.username)
                raise duplicate_content()
            tweet = self._state.tweets.add(
                author,
                text,
                now,
                in_reply_to_tweet_id=reply_to,
                media=tuple(m.summary() for m in media),
            )
        log.info(
            "tweet_created id=%s username=%s chars=%d reply_to=%s media=%d",
            tweet.id,
            author.username,
            len(text),
            reply_to,
            len(media),
        )
        return tweet
