"""Tweets: accepting, scheduling, reading, canceling and retrying the caller's tweets.

Outbox rule: the row is committed first, then its job is sent. If Redis is
down, the row stays ``queued`` with its job id and the sweeper sends the job
once Redis is back; the client still gets its 202.
"""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from datetime import datetime, timedelta

import redis
import structlog
from peewee import JOIN, ModelSelect

from tweetnow.shared.clock import iso, to_db, utcnow
from tweetnow.shared.jobs import JobState
from tweetnow.shared.logs import get_logger
from tweetnow.shared.messages import POST_TWEET
from tweetnow.shared.models import Tweet, TweetStatus, User, XConnection
from tweetnow.shared.outbox import delay_until, enqueue_tweet
from tweetnow.shared.tweet_details import TweetDetails, details, post_url, posting_handle

from ..deps import WebDeps
from ..schemas import Tweet as TweetAnswer
from ..schemas import TweetAccepted, TweetCreate, TweetReschedule, timestamp
from . import tweet_parts
from .connections import connection_to_post_with
from .errors import Conflict, Invalid, NotFound
from .fair_use import add_pending_tweet, check_pending_tweets, one_at_a_time
from .idempotency import IdempotentRequest
from .jobs import job_ref

log = get_logger(__name__)

#: The furthest ahead a tweet can be scheduled.
MAX_SCHEDULE_AHEAD = timedelta(days=365)
#: A send_at this far in the past still counts as "now" (clock skew, slow clients).
PAST_TOLERANCE = timedelta(seconds=5)

CANCELABLE = (TweetStatus.SCHEDULED, TweetStatus.QUEUED, TweetStatus.HELD)


def check_send_at(send_at: datetime | None, now: datetime) -> datetime | None:
    if send_at is None:
        return None
    if send_at.tzinfo is None:
        raise Invalid(
            "`send_at` needs a UTC offset, e.g. 2026-11-23T18:00:00+01:00.", field="send_at"
        )
    if send_at < now - PAST_TOLERANCE:
        raise Invalid(f"`send_at` {iso(send_at)} is in the past.", field="send_at")
    if send_at > now + MAX_SCHEDULE_AHEAD:
        raise Invalid("`send_at` is more than a year ahead.", field="send_at")
    return send_at if send_at > now else None


def _with_poster(query: ModelSelect[Tweet]) -> ModelSelect[Tweet]:
    """``query`` over tweets joined with their author and the account they post as."""
    return (
        query.join(User)
        .switch(Tweet)
        .join(XConnection, JOIN.LEFT_OUTER, on=(Tweet.connection == XConnection.id))
    )


class TweetService:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def create(
        self,
        user: User,
        request: TweetCreate,
        *,
        request_id: str | None,
        once: IdempotentRequest | None = None,
    ) -> TweetAccepted:
        if once:
            once.replay_if_answered()
        parts = tweet_parts.requested_parts(request)
        now = utcnow()
        send_at = check_send_at(request.send_at, now)
        # Due soon: send now with the exact delay. Later: the dispatcher sends it.
        direct = send_at is None or send_at <= now + timedelta(
            seconds=self.deps.settings.schedule_direct_s
        )
        # One query counts and writes (fair_use): it needs no transaction unless the
        # idempotency key, a thread's parts or images are written with it.
        alone = once is None and len(parts) == 1 and not parts[0].media_ids
        with nullcontext() if alone else one_at_a_time(user):
            if once:
                once.replay_if_answered()  # a request with the same key may have committed
            tweet_parts.check_media(user, parts)
            connection = (
                None
                if request.account_id is None
                else connection_to_post_with(user, request.account_id)
            )
            tweet = add_pending_tweet(
                user,
                self.deps.settings.max_pending_tweets,
                connection_id=connection.id if connection is not None else None,
                text=parts[0].text,
                status=TweetStatus.SCHEDULED if send_at else TweetStatus.QUEUED,
                job_id=str(uuid.uuid4()),
                request_id=request_id,
                send_at=to_db(send_at) if send_at else None,
                dispatched_at=to_db(now) if direct else None,
            )
            found = tweet_parts.store(tweet, parts)
            if once:
                accepted = self._accepted(tweet, found)
                once.remember(202, accepted, accepted.job.url)
        if direct:
            sent = enqueue_tweet(self.deps.broker, tweet, request_id=request_id)
        else:
            sent = self._record_scheduled_job(tweet, send_at, user, request_id)
        # The request's own line carries the ids (a deferred enqueue logged a warning).
        structlog.contextvars.bind_contextvars(tweet_id=tweet.id, job_id=tweet.job_id)
        log.debug("tweet_accepted", enqueued=sent)
        return self._accepted(tweet, found)

    def page(
        self, user: User, *, limit: int, before: int | None, scheduled: bool = True
    ) -> tuple[list[TweetAnswer], bool]:
        """Up to ``limit`` of the user's tweets older than ``before``, newest first, and
        whether older ones remain; without the scheduled ones unless ``scheduled``."""
        query = _with_poster(Tweet.select(Tweet, User, XConnection)).where(Tweet.user == user)
        if not scheduled:
            query = query.where(Tweet.status != TweetStatus.SCHEDULED)
        if before is not None:
            query = query.where(Tweet.id < before)
        rows = list(query.order_by(Tweet.id.desc()).limit(limit + 1))
        shown = rows[:limit]
        found = details(row.id for row in shown)
        return [self.answer(row, found[row.id]) for row in shown], len(rows) > limit

    def scheduled(
        self, user: User, *, limit: int, after: int | None = None
    ) -> tuple[list[TweetAnswer], bool]:
        """Up to ``limit`` of the user's scheduled tweets, soonest first, from the one after
        tweet ``after`` on (by send time, then id), and whether later ones remain."""
        query = _with_poster(Tweet.select(Tweet, User, XConnection)).where(
            (Tweet.user == user) & (Tweet.status == TweetStatus.SCHEDULED)
        )
        if after is not None:
            anchor = Tweet.get_or_none((Tweet.id == after) & (Tweet.user == user))
            if anchor is not None and anchor.send_at is not None:
                query = query.where(
                    (Tweet.send_at > anchor.send_at)
                    | ((Tweet.send_at == anchor.send_at) & (Tweet.id > anchor.id))
                )
        rows = list(query.order_by(Tweet.send_at, Tweet.id).limit(limit + 1))
        shown = rows[:limit]
        found = details(row.id for row in shown)
        return [self.answer(row, found[row.id]) for row in shown], len(rows) > limit

    def get(self, user: User, tweet_id: int) -> TweetAnswer:
        return self.answer(self._own(user, tweet_id))

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

    def cancel(self, user: User, tweet_id: int) -> TweetAnswer:
        """Cancel a tweet that has not started; a conflict once it is sending or done."""
        canceled = (
            Tweet.update(status=TweetStatus.CANCELED, updated_at=to_db(utcnow()))
            .where((Tweet.id == tweet_id) & (Tweet.user == user) & Tweet.status.in_(CANCELABLE))
            .execute()
        )
        tweet = self._own(user, tweet_id)
        if not canceled and tweet.status != TweetStatus.CANCELED:
            raise Conflict(
                "Too late to cancel",
                f"The tweet is already {tweet.status}; only scheduled or queued "
                "tweets can be canceled.",
            )
        if canceled:
            try:
                self.deps.jobs.record_canceled(tweet.job_id)
            except redis.RedisError:
                log.warning("job_cancel_not_recorded", job_id=tweet.job_id)
            log.info("tweet_canceled", tweet_id=tweet.id)
        return self.answer(tweet)

    def reschedule(
        self, user: User, tweet_id: int, request: TweetReschedule, *, request_id: str | None
    ) -> TweetAnswer:
        """Move a scheduled tweet to another time; a conflict once it is no longer scheduled.

        One guarded UPDATE changes the time and gives the tweet a new job id, so
        the row and its job change together: the old job is recorded canceled,
        and should its message still run, it finds the tweet not yet due (or
        done) and posts nothing. A new time within ``SCHEDULE_DIRECT_S`` gets its
        job sent now with the exact delay; a later one waits for the dispatcher.
        """
        now = utcnow()
        send_at = check_send_at(request.send_at, now) or now
        direct = send_at <= now + timedelta(seconds=self.deps.settings.schedule_direct_s)
        old = self._own(user, tweet_id)
        job_id = str(uuid.uuid4())
        moved = (
            Tweet.update(
                send_at=to_db(send_at),
                job_id=job_id,
                dispatched_at=to_db(now) if direct else None,
                request_id=request_id,
                updated_at=to_db(now),
            )
            .where(
                (Tweet.id == tweet_id)
                & (Tweet.user == user)
                & (Tweet.status == TweetStatus.SCHEDULED)
                & (Tweet.job_id == old.job_id)
            )
            .execute()
        )
        tweet = self._own(user, tweet_id)
        if not moved:
            raise Conflict(
                "Too late to reschedule",
                f"The tweet is {tweet.status}; only a scheduled tweet can be rescheduled.",
            )
        try:
            self.deps.jobs.record_canceled(old.job_id)
        except redis.RedisError:
            log.warning("job_cancel_not_recorded", job_id=old.job_id)
        if direct:
            sent = enqueue_tweet(self.deps.broker, tweet, request_id=request_id)
        else:
            sent = self._record_scheduled_job(tweet, send_at, user, request_id)
        log.info(
            "tweet_rescheduled",
            tweet_id=tweet.id,
            job_id=tweet.job_id,
            replaced_job_id=old.job_id,
            enqueued=sent,
        )
        return self.answer(tweet)

    def retry(self, user: User, tweet_id: int, request_id: str | None) -> TweetAccepted:
        """Send a failed tweet again under a new job; a conflict unless it is ``failed``.

        The row goes back to ``queued`` with a new job id and no error (if the
        person has room for one more pending tweet), then its
        job is sent like a new tweet's (the outbox rule holds: if Redis is down,
        the sweeper sends it). Its attempts are kept, so a duplicate-content
        answer from X is checked against the account as for any repeated attempt.
        """
        now = utcnow()
        job_id = str(uuid.uuid4())
        with one_at_a_time(user):
            # A retried tweet is pending again: it counts against the limit like a new one.
            check_pending_tweets(user, self.deps.settings.max_pending_tweets)
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
        tweet = self._own(user, tweet_id)
        if not retried:
            raise Conflict(
                "Nothing to retry",
                f"The tweet is {tweet.status}; only a failed tweet can be retried.",
            )
        sent = enqueue_tweet(self.deps.broker, tweet, request_id=request_id)
        log.info("tweet_retried", tweet_id=tweet.id, job_id=tweet.job_id, enqueued=sent)
        return self._accepted(tweet)

    def _own(self, user: User, tweet_id: int) -> Tweet:
        """The user's tweet ``tweet_id``, with its author (its X link needs the name)."""
        tweet = (
            _with_poster(Tweet.select(Tweet, User, XConnection))
            .where((Tweet.id == tweet_id) & (Tweet.user == user))
            .first()
        )
        if tweet is None:
            raise NotFound("tweet")
        return tweet

    def answer(self, tweet: Tweet, found: TweetDetails | None = None) -> TweetAnswer:
        """How a tweet row is shown, with its link on X once it is posted, and a thread's
        parts."""
        if found is None:
            found = details([tweet.id])[tweet.id]
        base = self.deps.settings.x_web_base_url
        url = post_url(base, posting_handle(tweet), tweet.x_tweet_id) if tweet.x_tweet_id else None
        return TweetAnswer(
            id=tweet.id,
            text=tweet.text,
            status=TweetStatus(tweet.status),
            x_tweet_id=tweet.x_tweet_id,
            url=url,
            error=tweet.error,
            created_at=timestamp(tweet.created_at),
            sent_at=iso(tweet.sent_at),
            send_at=iso(tweet.send_at),
            job_id=tweet.job_id,
            parts=tweet_parts.part_answers(tweet, found, base),
            media_ids=found.media.get(0, []),
            account_id=tweet.connection_id,
        )

    def _accepted(self, tweet: Tweet, found: TweetDetails | None = None) -> TweetAccepted:
        scheduled = tweet.status == TweetStatus.SCHEDULED
        state = JobState.SCHEDULED if scheduled else JobState.QUEUED
        return TweetAccepted(tweet=self.answer(tweet, found), job=job_ref(tweet.job_id, state))
