"""Jobs finished per minute and in total, by outcome: the admin dashboard's history.

Every finished attempt adds one to ``tweetnow:stats:<outcome>:<epoch minute>``
(kept ~2 hours) and to ``tweetnow:stats:<outcome>:total``. Outcomes are job
states: ``succeeded``, ``retrying`` (the attempt failed, a retry is queued),
``failed`` (dead-lettered) and ``canceled``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import redis

from .clock import utcnow

PREFIX = "tweetnow:stats:"
#: How long a per-minute counter is kept.
MINUTE_TTL_S = 2 * 3600
OUTCOMES = ("succeeded", "retrying", "failed", "canceled")
#: Outcomes that count as a failed attempt.
FAILED_OUTCOMES = ("retrying", "failed")


def epoch_minute(when: datetime) -> int:
    return int(when.timestamp()) // 60


def minute_key(outcome: str, minute: int) -> str:
    return f"{PREFIX}{outcome}:{minute}"


def total_key(outcome: str) -> str:
    return f"{PREFIX}{outcome}:total"


def count_outcome(pipe: redis.client.Pipeline, outcome: str, now: datetime | None = None) -> None:
    """Add one finished attempt to the counters, inside the caller's pipeline."""
    key = minute_key(outcome, epoch_minute(now or utcnow()))
    pipe.incr(key)
    pipe.expire(key, MINUTE_TTL_S)
    pipe.incr(total_key(outcome))


class JobStats:
    """Reads the counters back: totals and the last ``minutes`` minutes, oldest first."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def totals(self, outcomes: Iterable[str] = OUTCOMES) -> dict[str, int]:
        names = list(outcomes)
        values = self.client.mget([total_key(o) for o in names])
        return {o: int(v or 0) for o, v in zip(names, values, strict=True)}

    def per_minute(
        self, minutes: int = 60, now: datetime | None = None, outcomes: Iterable[str] = OUTCOMES
    ) -> tuple[list[int], dict[str, list[int]]]:
        """The epoch minutes (the current one last) and each outcome's count in each."""
        last = epoch_minute(now or utcnow())
        span = list(range(last - minutes + 1, last + 1))
        names = list(outcomes)
        values = self.client.mget([minute_key(o, m) for o in names for m in span])
        counts = {
            o: [int(v or 0) for v in values[i * minutes : (i + 1) * minutes]]
            for i, o in enumerate(names)
        }
        return span, counts
