"""State changes of a tweet row, each one guarded so that a redelivered or
duplicated message can never post twice.

A worker *claims* a tweet by moving it to ``sending`` with a lease. Only a
``queued`` or due ``scheduled`` tweet, or a ``sending`` one whose lease has run
out (its worker died), can be claimed. Terminal rows (sent, failed, canceled)
are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tweetnow.shared.clock import from_db, to_db, utcnow
from tweetnow.shared.models import Tweet, TweetStatus


@dataclass(frozen=True)
class Claimed:
    tweet: Tweet
    #: An earlier attempt got as far as calling X: it may have landed.
    earlier_attempt: bool


@dataclass(frozen=True)
class Busy:
    """Another worker holds the lease; look again when it ends."""

    lease_until: datetime


@dataclass(frozen=True)
class Finished:
    status: str


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
    now = utcnow()
    send_at = from_db(tweet.send_at)
    if tweet.status == TweetStatus.SCHEDULED and send_at and send_at > now + DUE_TOLERANCE:
        return NotDue(send_at=send_at)
    expired = (Tweet.status == TweetStatus.SENDING) & (Tweet.lease_until < to_db(now))
    ready = Tweet.status.in_((TweetStatus.QUEUED, TweetStatus.SCHEDULED))
    updated = (
        Tweet.update(
            status=TweetStatus.SENDING,
            attempts=Tweet.attempts + 1,
            lease_until=to_db(now + timedelta(seconds=lease_s)),
            updated_at=to_db(now),
        )
        .where((Tweet.id == tweet_id) & (ready | expired))
        .execute()
    )
    if updated:
        return Claimed(tweet=Tweet.get_by_id(tweet_id), earlier_attempt=tweet.attempts > 0)
    tweet = Tweet.get_by_id(tweet_id)
    if tweet.status == TweetStatus.SENDING:
        return Busy(lease_until=from_db(tweet.lease_until) or now)
    return Finished(status=tweet.status)


def _finish(tweet_id: int, **fields) -> bool:
    now = to_db(utcnow())
    return bool(
        Tweet.update(lease_until=None, updated_at=now, **fields)
        .where((Tweet.id == tweet_id) & (Tweet.status == TweetStatus.SENDING))
        .execute()
    )


def mark_sent(tweet_id: int, x_tweet_id: str) -> bool:
    return _finish(
        tweet_id,
        status=TweetStatus.SENT,
        x_tweet_id=x_tweet_id,
        sent_at=to_db(utcnow()),
        error=None,
    )


def mark_failed(tweet_id: int, reason: str) -> bool:
    return _finish(tweet_id, status=TweetStatus.FAILED, error=reason)


def release(tweet_id: int, reason: str) -> bool:
    """Back to ``queued`` after an attempt that X did not accept; a retry follows."""
    return _finish(tweet_id, status=TweetStatus.QUEUED, error=reason)


def hold_back(tweet_id: int, reason: str) -> bool:
    """Back to ``queued`` without counting an attempt: X was not called (no quota left)."""
    return _finish(tweet_id, status=TweetStatus.QUEUED, error=reason, attempts=Tweet.attempts - 1)
