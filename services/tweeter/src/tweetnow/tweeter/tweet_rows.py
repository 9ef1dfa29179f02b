"""State changes of a tweet row, each one guarded so that a redelivered or
duplicated message can never post twice (leases: tweetnow.shared.leases).

A ``queued`` or due ``scheduled`` tweet, or a ``sending`` one whose lease ran
out (its worker died), can be claimed. Terminal rows (sent, failed, canceled)
are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tweetnow.shared import leases
from tweetnow.shared.clock import from_db, to_db, utcnow
from tweetnow.shared.leases import Busy, Finished
from tweetnow.shared.models import Tweet, TweetStatus


@dataclass(frozen=True)
class Claimed:
    tweet: Tweet
    #: An earlier attempt got as far as calling X: it may have landed.
    earlier_attempt: bool


@dataclass(frozen=True)
class NotDue:
    """A scheduled tweet whose message came early (e.g. re-sent by the sweeper)."""

    send_at: datetime


#: A scheduled tweet this close to its time may go.
DUE_TOLERANCE = timedelta(seconds=1)


def claim(tweet_id: int, lease_s: float) -> Claimed | Busy | Finished | NotDue | None:
    tweet = Tweet.get_or_none(Tweet.id == tweet_id)
    if tweet is None:
        return None
    send_at = from_db(tweet.send_at)
    if tweet.status == TweetStatus.SCHEDULED and send_at and send_at > utcnow() + DUE_TOLERANCE:
        return NotDue(send_at=send_at)
    ready = Tweet.status.in_((TweetStatus.QUEUED, TweetStatus.SCHEDULED))
    if leases.take(Tweet, tweet_id, lease_s=lease_s, claimable=ready):
        return Claimed(tweet=Tweet.get_by_id(tweet_id), earlier_attempt=tweet.attempts > 0)
    return leases.why_not(Tweet.get_by_id(tweet_id))


def mark_sent(tweet_id: int, x_tweet_id: str) -> bool:
    return leases.finish(
        Tweet,
        tweet_id,
        status=TweetStatus.SENT,
        x_tweet_id=x_tweet_id,
        sent_at=to_db(utcnow()),
        error=None,
    )


def mark_failed(tweet_id: int, reason: str) -> bool:
    return leases.finish(Tweet, tweet_id, status=TweetStatus.FAILED, error=reason)


def release(tweet_id: int, reason: str) -> bool:
    """Back to ``queued`` after an attempt that X did not accept; a retry follows."""
    return leases.finish(Tweet, tweet_id, status=TweetStatus.QUEUED, error=reason)


def hold_back(tweet_id: int, reason: str) -> bool:
    """Back to ``queued`` without counting an attempt: X was not called (no quota left)."""
    return leases.finish(
        Tweet, tweet_id, status=TweetStatus.QUEUED, error=reason, attempts=Tweet.attempts - 1
    )


def extend_lease(tweet_id: int, lease_s: float) -> bool:
    """Keep the tweet for another ``lease_s`` while it is posted part by part; False if it
    is no longer ``sending`` (nothing more may be posted then)."""
    now = utcnow()
    return bool(
        Tweet.update(lease_until=to_db(now + timedelta(seconds=lease_s)), updated_at=to_db(now))
        .where((Tweet.id == tweet_id) & (Tweet.status == TweetStatus.SENDING))
        .execute()
    )
