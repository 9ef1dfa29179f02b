"""Accepting, scheduling and canceling tweets.

Outbox rule: the row is committed first, then its job is sent. If Redis is
down, the row stays ``queued`` with its job id and the sweeper sends the job
once Redis is back; the client still gets its 202.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import falcon
import redis

from tweetnow.shared.clock import iso, to_db, utcnow
from tweetnow.shared.db import database
from tweetnow.shared.jobs import JobState
from tweetnow.shared.logs import get_logger
from tweetnow.shared.messages import POST_TWEET
from tweetnow.shared.models import Tweet, TweetStatus, User
from tweetnow.shared.outbox import delay_until, enqueue_tweet

from .deps import WebDeps
from .errors import not_found, unprocessable

log = get_logger(__name__)

#: The furthest ahead a tweet can be scheduled.
MAX_SCHEDULE_AHEAD = timedelta(days=365)
#: A send_at this far in the past still counts as "now" (clock skew, slow clients).
PAST_TOLERANCE = timedelta(seconds=5)

CANCELABLE = (TweetStatus.SCHEDULED, TweetStatus.QUEUED)


def check_send_at(send_at: datetime | None, now: datetime) -> datetime | None:
    if send_at is None:
        return None
    if send_at.tzinfo is None:
        raise unprocessable(
            "`send_at` needs a UTC offset, e.g. 2026-11-23T18:00:00+01:00.", field="send_at"
        )
    if send_at < now - PAST_TOLERANCE:
        raise unprocessable(f"`send_at` {iso(send_at)} is in the past.", field="send_at")
    if send_at > now + MAX_SCHEDULE_AHEAD:
        raise unprocessable("`send_at` is more than a year ahead.", field="send_at")
    return send_at if send_at > now else None


class TweetService:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def create(
        self, user: User, text: str, *, send_at: datetime | None, request_id: str | None
    ) -> Tweet:
        now = utcnow()
        send_at = check_send_at(send_at, now)
        # Due soon: send now with the exact delay. Later: the dispatcher sends it.
        direct = send_at is None or send_at <= now + timedelta(
            seconds=self.deps.settings.schedule_direct_s
        )
        with database.atomic():
            tweet = Tweet.create(
                user=user,
                text=text,
                status=TweetStatus.SCHEDULED if send_at else TweetStatus.QUEUED,
                job_id=str(uuid.uuid4()),
                request_id=request_id,
                send_at=to_db(send_at) if send_at else None,
                dispatched_at=to_db(now) if direct else None,
            )
        if direct:
            sent = enqueue_tweet(self.deps.broker, tweet, request_id=request_id)
        else:
            sent = self._record_scheduled_job(tweet, send_at, user, request_id)
        log.info("tweet_accepted", tweet_id=tweet.id, job_id=tweet.job_id, enqueued=sent)
        return tweet

    def _record_scheduled_job(
        self, tweet: Tweet, send_at: datetime | None, user: User, request_id: str | None
    ) -> bool:
        """A far-off tweet has no message yet; its job still shows as scheduled."""
        try:
            self.deps.jobs.record_enqueued(
                tweet.job_id,
                actor=POST_TWEET.actor_name,
                queue=POST_TWEET.queue,
                delay_ms=delay_until(send_at),
                retrying=False,
                owner_id=str(user.id),
                request_id=request_id,
            )
        except redis.RedisError:
            return False
        return True

    def cancel(self, user: User, tweet_id: int) -> Tweet:
        """Cancel a tweet that has not started; 409 once it is sending or done."""
        canceled = (
            Tweet.update(status=TweetStatus.CANCELED, updated_at=to_db(utcnow()))
            .where((Tweet.id == tweet_id) & (Tweet.user == user) & Tweet.status.in_(CANCELABLE))
            .execute()
        )
        tweet = Tweet.get_or_none((Tweet.id == tweet_id) & (Tweet.user == user))
        if tweet is None:
            raise not_found("tweet")
        if not canceled and tweet.status != TweetStatus.CANCELED:
            raise falcon.HTTPConflict(
                title="Too late to cancel",
                description=f"The tweet is already {tweet.status}; only scheduled or queued "
                "tweets can be canceled.",
            )
        if canceled:
            try:
                self.deps.jobs.record_canceled(tweet.job_id)
            except redis.RedisError:
                log.warning("job_cancel_not_recorded", job_id=tweet.job_id)
            log.info("tweet_canceled", tweet_id=tweet.id)
        return tweet

    def retry(self, user: User, tweet_id: int, request_id: str | None) -> Tweet:
        """Send a failed tweet again under a new job; 409 unless it is ``failed``.

        The row goes back to ``queued`` with a new job id and no error, then its
        job is sent like a new tweet's (the outbox rule holds: if Redis is down,
        the sweeper sends it). Its attempts are kept, so a duplicate-content
        answer from X is checked against the account as for any repeated attempt.
        """
        now = utcnow()
        job_id = str(uuid.uuid4())
        with database.atomic():
            retried = (
                Tweet.update(
                    status=TweetStatus.QUEUED,
                    job_id=job_id,
                    error=None,
                    request_id=request_id,
                    lease_until=None,
                    dispatched_at=to_db(now),
                    updated_at=to_db(now),
                )
                .where(
                    (Tweet.id == tweet_id)
                    & (Tweet.user == user)
                    & (Tweet.status == TweetStatus.FAILED)
                )
                .execute()
            )
        tweet = (
            Tweet.select(Tweet, User)
            .join(User)
            .where((Tweet.id == tweet_id) & (Tweet.user == user))
            .first()
        )
        if tweet is None:
            raise not_found("tweet")
        if not retried:
            raise falcon.HTTPConflict(
                title="Nothing to retry",
                description=f"The tweet is {tweet.status}; only a failed tweet can be retried.",
            )
        sent = enqueue_tweet(self.deps.broker, tweet, request_id=request_id)
        log.info("tweet_retried", tweet_id=tweet.id, job_id=tweet.job_id, enqueued=sent)
        return tweet


def initial_job_state(tweet: Tweet) -> str:
    return JobState.SCHEDULED if tweet.status == TweetStatus.SCHEDULED else JobState.QUEUED
