"""What happens to a ``POST /2/tweets`` once it is authenticated and within its rate limit.

Injected latency comes first, before anything is decided or recorded: a client
that gives up (or dies) during it still leaves the tweet posted, as when X
accepts a tweet but the answer never reaches the worker.
"""

from __future__ import annotations

import logging
import math

from x_sandbox.clock import Clock
from x_sandbox.faults import DUPLICATE, ScriptedError
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


def _scripted_problem(error: ScriptedError, reset_after_s: float, now: float) -> XProblem:
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


class TweetIntake:
    """Takes a tweet in, or refuses it the way X would (or the faults say to)."""

    def __init__(self, state: SandboxState, clock: Clock) -> None:
        self._state = state
        self._clock = clock

    def post(self, author: SandboxUser, text: str) -> SandboxTweet:
        with self._state.lock:
            latency_ms = self._state.faults.latency_ms
        self._clock.sleep(latency_ms / 1000)
        with self._state.lock:
            now = self._clock.now()
            scripted = self._state.faults.take_next_error()
            if scripted is not None:
                log.info("tweet_refused_by_fault username=%s fault=%s", author.username, scripted)
                raise _scripted_problem(scripted, self._state.faults.reset_after_s, now)
            if self._state.tweets.is_duplicate(author.id, text):
                log.info("tweet_refused_as_duplicate username=%s", author.username)
                raise duplicate_content()
            tweet = self._state.tweets.add(author, text, now)
        log.info("tweet_created id=%s username=%s chars=%d", tweet.id, author.username, len(text))
        return tweet
