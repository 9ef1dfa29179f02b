"""The dispatcher: scheduled tweets live in the database until they fall due.

Every minute it sends the job of each scheduled tweet due within the horizon,
with the exact delay to its time. Each tweet is taken by one atomic update
(``dispatched_at`` from NULL), so two dispatchers never send the same tweet
twice, and an overdue one (the scheduler was down) goes at once, not never.
"""

from __future__ import annotations

from datetime import timedelta

import dramatiq

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.log_setup import get_logger
from tweetnow.shared.models import Tweet, TweetStatus
from tweetnow.shared.tweet_jobs import enqueue_tweet

log = get_logger(__name__)

BATCH = 500


def dispatch_due_tweets(broker: dramatiq.Broker, *, horizon_s: int) -> int:
    now = utcnow()
    # Read the batch first: a write inside an open read would fail on SQLite
    # when another dispatcher commits in between.
    due = list(
        Tweet.select()
        .where(
            (Tweet.status == TweetStatus.SCHEDULED)
            & Tweet.dispatched_at.is_null()
            & (Tweet.send_at <= to_db(now + timedelta(seconds=horizon_s)))
        )
        .order_by(Tweet.send_at)
        .limit(BATCH)
    )
    sent = 0
    for tweet in due:
        taken = (
            Tweet.update(dispatched_at=to_db(now))
            .where(
                (Tweet.id == tweet.id)
                & (Tweet.status == TweetStatus.SCHEDULED)
                & Tweet.dispatched_at.is_null()
            )
            .execute()
        )
        if taken:
            enqueue_tweet(broker, tweet)  # if Redis fails here, the sweeper re-sends it
            sent += 1
    if sent:
        log.info("tweets_dispatched", count=sent)
    return sent
