"""The sweeper: the outbox's other half.

A tweet or mail row that should be on its way but has no live job gets its
job sent again, under the same job id: Redis was down when it was accepted,
a dispatched message was lost, or a message is stuck in a live worker's ack
set after a Redis restart (Dramatiq #527). Re-sending is safe: the row's
status guards against doing the work twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import dramatiq

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.job_status import JobRecord, JobState, JobStatusStore
from tweetnow.shared.log_setup import get_logger
from tweetnow.shared.messages import SEND_MAIL, SendMail
from tweetnow.shared.models import Mail, MailStatus, Tweet, TweetStatus
from tweetnow.shared.outbox import send_or_defer
from tweetnow.shared.tweet_jobs import enqueue_tweet

log = get_logger(__name__)

BATCH = 500
#: A job "running" for longer than this lost its worker and its message.
RUNNING_TOO_LONG = timedelta(minutes=10)


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def job_is_live(record: JobRecord | None, now: datetime, grace: timedelta) -> bool:
    """Whether a worker holds, or will soon pick up, this job's message."""
    if record is None:
        return False
    if record.status == JobState.RUNNING:
        started = _parse(record.started_at)
        return started is not None and started > now - RUNNING_TOO_LONG
    if record.status in (JobState.QUEUED, JobState.SCHEDULED, JobState.RETRYING):
        due = _parse(record.next_attempt_at) or _parse(record.enqueued_at)
        return due is not None and due > now - grace
    return False


def sweep_outbox(broker: dramatiq.Broker, store: JobStatusStore, *, grace_s: int) -> dict:
    now = utcnow()
    grace = timedelta(seconds=grace_s)
    cutoff = to_db(now - grace)
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
        if not job_is_live(store.get(tweet.job_id), now, grace):
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
        if not job_is_live(store.get(mail.job_id), now, grace):
            log.info("mail_job_resent", mail_id=mail.id, job_id=mail.job_id)
            mails += send_or_defer(
                broker,
                SEND_MAIL,
                SendMail(mail_id=mail.id),
                job_id=mail.job_id,
                owner_id=mail.user_id,
                request_id=mail.request_id,
            )
    return {"tweets": tweets, "mails": mails}
