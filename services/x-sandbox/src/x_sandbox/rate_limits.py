"""X's rate limits on ``/2/``: fixed windows per user and endpoint (and optionally per
app), counted by ``middleware.RateLimitMiddleware`` and reported on every response.

A window opens with the first request after the previous one ended and lasts
``window_s``; X reports its end as ``x-rate-limit-reset`` in whole epoch
seconds (rounded up, so a client that waits until then finds a fresh window).
Only ``POST /2/tweets`` has limits a test can set (``rate_limit`` in the
faults); every other endpoint counts against a limit so large it never bites.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The one endpoint whose limits tests set (``rate_limit`` in the faults).
TWEET_POST_ENDPOINT = "POST /2/tweets"


@dataclass(frozen=True)
class RateLimitRule:
    per_user: int
    per_app: int | None
    window_s: float

    def as_json(self) -> dict[str, object]:
        return {"per_user": self.per_user, "per_app": self.per_app, "window_s": self.window_s}


#: What applies unless a test turns real limits on: so large it never bites.
UNLIMITED = RateLimitRule(per_user=1_000_000, per_app=None, window_s=900)


@dataclass(frozen=True)
class Quota:
    """What the ``x-rate-limit-*`` headers say after a request."""

    limit: int
    remaining: int
    reset: int
    exceeded: bool = False

    @classmethod
    def fresh(cls, rule: RateLimitRule, now: float) -> Quota:
        return cls(limit=rule.per_user, remaining=rule.per_user, reset=_reset(now, rule))

    def headers(self) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(self.limit),
            "x-rate-limit-remaining": str(self.remaining),
            "x-rate-limit-reset": str(self.reset),
        }


def _reset(start: float, rule: RateLimitRule) -> int:
    return math.ceil(start + rule.window_s)


@dataclass
class _CountingWindow:
    started: float
    used: int = 0


class RateLimitWindows:
    """The open window of every (endpoint, user) and (endpoint, app) pair.

    Not thread-safe: the caller holds the sandbox's lock.
    """

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str | None], _CountingWindow] = {}

    def _window(
        self, key: tuple[str, str | None], rule: RateLimitRule, now: float
    ) -> _CountingWindow:
        window = self._windows.get(key)
        if window is None or now >= window.started + rule.window_s:
            window = self._windows[key] = _CountingWindow(started=now)
        return window

    def take(self, endpoint: str, user_id: str, rule: RateLimitRule, now: float) -> Quota:
        """Count one request by ``user_id`` to ``endpoint``, unless a limit is reached."""
        counted = [(self._window((endpoint, user_id), rule, now), rule.per_user)]
        if rule.per_app is not None:
            counted.append((self._window((endpoint, None), rule, now), rule.per_app))
        exhausted = [(w, limit) for w, limit in counted if w.used >= limit]
        if exhausted:
            window, limit = max(exhausted, key=lambda wl: wl[0].started)
            return Quota(
                limit=limit, remaining=0, reset=_reset(window.started, rule), exceeded=True
            )
        for window, _ in counted:
            window.used += 1
        window, limit = min(counted, key=lambda wl: (wl[1] - wl[0].used, -wl[0].started))
        return Quota(limit=limit, remaining=limit - window.used, reset=_reset(window.started, rule))

    def clear(self) -> None:
        self._windows.clear()
