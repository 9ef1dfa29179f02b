"""Tweets held for an X account that needs reconnecting: after ``HELD_MAX_DAYS`` they fail.

A tweet is held from the moment its worker found the connection broken; its
``updated_at`` says since when (nothing else touches a held row).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import Tweet, TweetStatus, XConnection

log = get_logger(__name__)

#: Called once for each tweet that ends failed here (its author's notice).
FailedHook = Callable[[Tweet, str], None]


def too_long_reason(max_days: int, handle: str) -> str:
    return f"held for more than {max_days} days because @{handle} needs reconnecting"


def fail_long_held(
    *, max_days: int, on_failed: FailedHook | None = None, now: datetime | None = None
) -> int:
    """Fail the tweets held for more than ``max_days``; how many."""
    before = to_db((now or utcnow()) - timedelta(days=max_days))
    rows = list(
        Tweet.select(Tweet, XConnection)
        .join(XConnection)
        .where((Tweet.status == TweetStatus.HELD) & (Tweet.updated_at < before))
    )
    failed = 0
    for tweet in rows:
        connection = tweet.connection
        assert connection is not None  # joined: only tweets with a connection are held
        reason = too_long_reason(max_days, connection.username)
        changed = (
            Tweet.update(status=TweetStatus.FAILED, error=reason, updated_at=to_db(utcnow()))
            .where((Tweet.id == tweet.id) & (Tweet.status == TweetStatus.HELD))
            .execute()
        )
        if not changed:
            continue  # reconnected (or canceled) meanwhile
        failed += 1
        log.info("tweet_held_too_long", tweet_id=tweet.id, reason=reason)
        if on_failed is not None:
            on_failed(tweet, reason)
    return failed
