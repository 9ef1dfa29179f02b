"""The outbox rule, and what it sends: a row is committed first, then its message.

Tweets, mails and webhook deliveries all go this way.

If the broker cannot be reached, the row stays ``queued`` with its job id and
the sweeper (a recurring job) sends the message later with that same id.
Nothing accepted is lost, and no message ever points at a missing row. The
web, the dispatcher and the sweeper all send a tweet's or a mail's job through
here, so each is always sent the same way.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import dramatiq
import redis
from dramatiq.errors import BrokerError
from peewee import IntegrityError

from .clock import from_db, utcnow
from .contracts import Contract, P, send
from .db import database
from .logs import get_logger
from .messages import DELIVER_WEBHOOK, POST_TWEET, SEND_MAIL, DeliverWebhook, PostTweet, SendMail
from .models import Mail, MailKind, Tweet, User, WebhookDelivery

log = get_logger(__name__)


def send_or_defer(
    broker: dramatiq.Broker,
    contract: Contract[P],
    payload: P,
    *,
    job_id: str,
    delay_ms: int | None = None,
    owner_id: str | int | None = None,
    request_id: str | None = None,
) -> bool:
    """Send the job; on a broker outage leave it to the sweeper. True if it was sent."""
    try:
        send(
            broker,
            contract,
            payload,
            message_id=job_id,
            delay_ms=delay_ms,
            owner_id=owner_id,
            request_id=request_id,
        )
    except (redis.RedisError, BrokerError) as exc:
        log.warning("enqueue_deferred", job_id=job_id, actor=contract.actor_name, error=str(exc))
        return False
    return True


# --- tweets ----------------------------------------------------------------


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


# --- mail ------------------------------------------------------------------


def enqueue_mail(broker: dramatiq.Broker, mail: Mail) -> bool:
    """Send the mail's job under its job id; False if deferred."""
    return send_or_defer(
        broker,
        SEND_MAIL,
        SendMail(mail_id=mail.id),
        job_id=mail.job_id,
        owner_id=mail.user_id,
        request_id=mail.request_id,
    )


def record_mail(
    *,
    kind: MailKind,
    recipient: str,
    user: User | None,
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    request_id: str | None = None,
) -> Mail | None:
    """Write one mail's row, not yet its job. None if a mail with ``dedupe_key`` exists.

    Inside a caller's transaction, send its job with :func:`enqueue_mail` after commit.
    """
    try:
        with database.atomic():
            return Mail.create(
                user=user,
                kind=kind,
                recipient=recipient,
                data=json.dumps(data or {}),
                job_id=str(uuid.uuid4()),
                dedupe_key=dedupe_key,
                request_id=request_id,
            )
    except IntegrityError:
        if dedupe_key and Mail.get_or_none(Mail.dedupe_key == dedupe_key) is not None:
            return None
        raise


def request_mail(
    broker: dramatiq.Broker,
    *,
    kind: MailKind,
    recipient: str,
    user: User | None,
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    request_id: str | None = None,
) -> Mail | None:
    """Record and enqueue one mail. None if a mail with ``dedupe_key`` exists already."""
    mail = record_mail(
        kind=kind,
        recipient=recipient,
        user=user,
        data=data,
        dedupe_key=dedupe_key,
        request_id=request_id,
    )
    if mail is not None:
        enqueue_mail(broker, mail)
    return mail


# --- webhook deliveries ----------------------------------------------------------


def enqueue_webhook_delivery(
    broker: dramatiq.Broker,
    delivery: WebhookDelivery,
    *,
    owner_id: str | int | None,
    request_id: str | None = None,
) -> bool:
    """Send the delivery's job (its id is the job id), delayed to its next attempt;
    False if deferred."""
    return send_or_defer(
        broker,
        DELIVER_WEBHOOK,
        DeliverWebhook(delivery_id=delivery.id),
        job_id=delivery.id,
        delay_ms=delay_until(from_db(delivery.next_attempt_at)),
        owner_id=owner_id,
        request_id=request_id,
    )
