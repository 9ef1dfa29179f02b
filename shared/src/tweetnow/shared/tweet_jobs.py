"""Sending a tweet's job: from the web, the dispatcher and the sweeper alike."""

from __future__ import annotations

from datetime import datetime

import dramatiq

from .clock import from_db, utcnow
from .messages import POST_TWEET, PostTweet
from .models import Tweet
from .outbox import send_or_defer


def delay_until(send_at: datetime | None, now: datetime | None = None) -> int | None:
    """Milliseconds until ``send_at`` (aware), or None when it is due already."""
    if send_at is None:
        return None
    remaining = (send_at - (now or utcnow())).total_seconds()
    return int(remaining * 1000) if remaining > 0 else None


def enqueue_tweet(broker: dramatiq.Broker, tweet: Tweet, *, request_id: str | None = None) -> bool:
    """Send the tweet's job (with the exact delay to its time); False if deferred."""
    return send_or_defer(
        broker,
        POST_TWEET,
        PostTweet(tweet_id=tweet.id),
        job_id=tweet.job_id,
        delay_ms=delay_until(from_db(tweet.send_at)),
        owner_id=tweet.user_id,
        request_id=request_id or tweet.request_id,
    )
