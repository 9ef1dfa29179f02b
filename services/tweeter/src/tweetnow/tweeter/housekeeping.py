"""Housekeeping: the recurring jobs the tweeter's workers run (schedules declared
in ``tweetnow.shared.periodic``; the scheduler process sends their ticks).

- the dispatcher: scheduled tweets live in the database until they fall due;
  every minute it sends the job of each one due within the horizon, with the
  exact delay to its time, each person's in turn;
- the sweeper, the outbox's other half: a tweet, mail or webhook delivery row that should be on
  its way but has no live job gets its job sent again, under the same job id
  (Redis was down when it was accepted, a dispatched message was lost, or a
  message is stuck in a live worker's ack set after a Redis restart, Dramatiq
  #527, or a job reads ``running`` though no live worker runs it); re-sending
  is safe, the row's status guards against doing the work twice;
- cleanup: expired sessions, stale sign-in requests, idempotency keys older than a
  day, old images' bytes, and tweets held longer than ``HELD_MAX_DAYS`` for an X
  account that needs reconnecting (they fail, with a notice to their author and a
  webhook event, as any failed tweet). Job status records
  and their attempt lists expire by themselves in Redis (``JOB_STATUS_TTL_S``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage
from peewee import fn

from tweetnow.shared.broker import job_store
from tweetnow.shared.clock import iso, to_db, utcnow
from tweetnow.shared.jobs import JobRecord, JobState, JobStatusStore
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import (
    IDEMPOTENCY_KEY_LIFETIME,
    DeliveryStatus,
    IdempotencyKey,
    Mail,
    MailStatus,
    OAuthRequest,
    Session,
    Tweet,
    TweetStatus,
    Webhook,
    WebhookDelivery,
)
from tweetnow.shared.outbox import enqueue_mail, enqueue_tweet, enqueue_webhook_delivery
from tweetnow.shared.periodic import (
    CLEANUP,
    DISPATCH_DUE_TWEETS,
    PERIODIC_QUEUE,
    SWEEP_OUTBOX,
    PeriodicJob,
    PeriodicRuns,
)
from tweetnow.shared.webhook_events import WebhookEvents
from tweetnow.shared.worker import WorkerRuntime
from tweetnow.shared.worker_registry import runs_now

from .held_tweets import fail_long_held
from .media_retention import forget_old_images
from .posting import failed_tweet_notice

log = get_logger(__name__)

#: Rows one run of the sweeper looks at, at most; the next tick takes the rest.
BATCH = 500
#: A person's due tweets one dispatcher tick sends, at most. X lets a person post
#: about 100 tweets per 15 minutes, so more a minute would only fill the queue with
#: posts the tweeter has to hold back for X's rate limit.
PER_PERSON_PER_TICK = 100
#: Jobs one dispatcher tick sends in all, at most (seconds of work, well inside the
#: minute between ticks); the next tick sends the rest.
PER_TICK = 5_000
#: A sign-in request older than this is of no use to anyone.
OAUTH_REQUEST_TTL = timedelta(days=1)


# --- the dispatcher ---------------------------------------------------------


def dispatch_due_tweets(broker: dramatiq.Broker, *, horizon_s: int) -> int:
    """Send the jobs of scheduled tweets due within ``horizon_s``, each person's in
    turn; how many were sent.

    Fair: the due tweets are ranked within each person by time, and taken by rank
    (every person's first, then every person's second, ...), so one person's
    hundred thousand tweets due this minute do not push anyone else's back. A
    tick sends at most ``PER_PERSON_PER_TICK`` of one person's and ``PER_TICK``
    in all; the rest stay due, and the next ticks send them (overdue ones at
    once). Each tweet is taken by one atomic update (``dispatched_at`` from
    NULL), so two dispatchers never send the same tweet twice.
    """
    now = utcnow()
    due = (
        (Tweet.status == TweetStatus.SCHEDULED)
        & Tweet.dispatched_at.is_null()
        & (Tweet.send_at <= to_db(now + timedelta(seconds=horizon_s)))
    )
    turn = fn.ROW_NUMBER().over(partition_by=[Tweet.user], order_by=[Tweet.send_at, Tweet.id])
    ranked = Tweet.select(Tweet.id, turn.alias("turn")).where(due).alias("ranked")
    # Read the whole tick first: a write inside an open read would fail on SQLite
    # when another dispatcher commits in between.
    in_turn = list(
        Tweet.select()
        .join(ranked, on=(Tweet.id == ranked.c.id))
        .where(ranked.c.turn <= PER_PERSON_PER_TICK)
        .order_by(ranked.c.turn, Tweet.send_at, Tweet.id)
        .limit(PER_TICK)
    )
    sent = 0
    for tweet in in_turn:
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
        log.info("tweets_dispatched", count=sent, people=len({t.user_id for t in in_turn}))
    return sent


# --- the sweeper --------------------------------------------------------------


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def job_is_live(
    record: JobRecord | None,
    now: datetime,
    grace: timedelta,
    runs_now: Callable[[JobRecord], bool],
) -> bool:
    """Whether a worker holds, or will soon pick up, this job's message.

    A ``running`` job is live only while the worker process it names is alive
    and running it (``runs_now``): a worker that was killed, or frozen and then
    cut off from Redis before it could record the outcome (a paused VM, a
    laptop's suspend), leaves the status at ``running`` with nothing behind it.
    """
    if record is None:
        return False
    if record.status == JobState.RUNNING:
        return runs_now(record)
    if record.status in (JobState.QUEUED, JobState.SCHEDULED, JobState.RETRYING):
        due = _parse(record.next_attempt_at) or _parse(record.enqueued_at)
        return due is not None and due > now - grace
    return False


def sweep_outbox(broker: dramatiq.Broker, store: JobStatusStore, *, grace_s: int) -> dict[str, int]:
    """Re-send the jobs of rows left on their way with no live job; how many of each."""
    now = utcnow()
    grace = timedelta(seconds=grace_s)
    cutoff = to_db(now - grace)

    def live(job_id: str) -> bool:
        return job_is_live(
            store.get(job_id), now, grace, lambda r: runs_now(store.client, r.worker, r.id)
        )

    stuck_tweets = Tweet.select().where(
        (
            (Tweet.status == TweetStatus.QUEUED)
            | ((Tweet.status == TweetStatus.SCHEDULED) & Tweet.dispatched_at.is_null(False))
            | ((Tweet.status == TweetStatus.SENDING) & (Tweet.lease_until < to_db(now)))
        )
        & (Tweet.updated_at < cutoff)
        & (Tweet.send_at.is_null() | (Tweet.send_at < cutoff))
    )
    tweets = 0
    for tweet in list(stuck_tweets.limit(BATCH)):
        if not live(tweet.job_id):
            log.info("tweet_job_resent", tweet_id=tweet.id, job_id=tweet.job_id)
            tweets += enqueue_tweet(broker, tweet)
    stuck_mails = Mail.select().where(
        (
            (Mail.status == MailStatus.QUEUED)
            | ((Mail.status == MailStatus.SENDING) & (Mail.lease_until < to_db(now)))
        )
        & (Mail.updated_at < cutoff)
    )
    mails = 0
    for mail in list(stuck_mails.limit(BATCH)):
        if not live(mail.job_id):
            log.info("mail_job_resent", mail_id=mail.id, job_id=mail.job_id)
            mails += enqueue_mail(broker, mail)
    return {
        "tweets": tweets,
        "mails": mails,
        "webhook_deliveries": _sweep_deliveries(broker, now, grace, live),
    }


def _sweep_deliveries(
    broker: dramatiq.Broker, now: datetime, grace: timedelta, live: Callable[[str], bool]
) -> int:
    """Webhook deliveries due (or whose worker's lease ran out) with no live job."""
    cutoff = to_db(now - grace)
    stuck = (
        WebhookDelivery.select(WebhookDelivery, Webhook)
        .join(Webhook)
        .where(
            (
                (WebhookDelivery.status == DeliveryStatus.PENDING)
                & (WebhookDelivery.next_attempt_at < cutoff)
            )
            | (
                (WebhookDelivery.status == DeliveryStatus.SENDING)
                & (WebhookDelivery.lease_until < to_db(now))
            )
        )
    )
    sent = 0
    for delivery in list(stuck.limit(BATCH)):
        if not live(delivery.id):
            log.info("webhook_job_resent", delivery_id=delivery.id)
            sent += enqueue_webhook_delivery(broker, delivery, owner_id=delivery.webhook.user_id)
    return sent


# --- cleanup ------------------------------------------------------------------


def cleanup(*, media_keep_s: float | None = None) -> dict[str, int]:
    """Delete expired sessions, stale sign-in requests, idempotency keys older than a
    day and, with ``media_keep_s``, old images (``media_retention``); how many of each."""
    now = utcnow()
    sessions = Session.delete().where(Session.expires_at < to_db(now)).execute()
    requests = (
        OAuthRequest.delete()
        .where(OAuthRequest.created_at < to_db(now - OAUTH_REQUEST_TTL))
        .execute()
    )
    keys = (
        IdempotencyKey.delete()
        .where(IdempotencyKey.created_at < to_db(now - IDEMPOTENCY_KEY_LIFETIME))
        .execute()
    )
    done = {"sessions": sessions, "oauth_requests": requests, "idempotency_keys": keys}
    if media_keep_s is not None:
        done |= forget_old_images(now, timedelta(seconds=media_keep_s))
    return done


# --- their actors -------------------------------------------------------------


def declare_housekeeping(runtime: WorkerRuntime) -> None:
    """Declare the recurring jobs' actors: one run per tick, however many schedulers."""
    broker, settings = runtime.broker, runtime.settings
    runs = PeriodicRuns(runtime.redis)

    def periodic_actor(job: PeriodicJob, fn: Callable[[], Any]) -> None:
        def run() -> None:
            message = CurrentMessage.get_current_message()
            tick = message.options.get("scheduled_at") if message is not None else None
            if tick is not None and not runs.claim_tick(job.name, tick):
                log.info("periodic_tick_duplicate", job=job.name, tick=tick)
                return
            started = iso(utcnow()) or ""
            with runtime.database.connection_context():
                result = fn()
            runs.record(job.name, started_at=started, outcome="succeeded", result=result)
            log.info("periodic_done", job=job.name, tick=tick, result=result)

        run.__name__ = job.name
        declare = dramatiq.actor(
            broker=broker,
            actor_name=job.name,
            queue_name=PERIODIC_QUEUE,
            periodic=job.spec,
            max_retries=0,  # the next tick is the retry
        )
        declare(run)

    periodic_actor(
        DISPATCH_DUE_TWEETS,
        lambda: dispatch_due_tweets(broker, horizon_s=settings.dispatch_horizon_s),
    )
    store = job_store(broker)
    periodic_actor(
        SWEEP_OUTBOX, lambda: sweep_outbox(broker, store, grace_s=settings.sweep_grace_s)
    )
    notify_author = failed_tweet_notice(broker)
    events = WebhookEvents(broker, x_web_base_url=settings.x_web_base_url)

    def held_too_long(tweet: Tweet, reason: str) -> None:
        """As for any failed tweet: its author's notice and its webhook event."""
        notify_author(tweet, reason)
        events.after_tweet(tweet.id)

    def cleanup_run() -> dict[str, int]:
        done = cleanup(media_keep_s=settings.media_keep_s)
        done["held_too_long"] = fail_long_held(
            max_days=settings.held_max_days, on_failed=held_too_long
        )
        return done

    periodic_actor(CLEANUP, cleanup_run)
