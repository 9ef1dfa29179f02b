"""Webhook events: when a tweet or a mail reaches its final state, each webhook of its
owner subscribed to that event gets one delivery row, then its job (the outbox rule).

The workers call :meth:`WebhookEvents.after_tweet` / :meth:`~WebhookEvents.after_mail`
once at the end of every attempt, whatever it did. An attempt that left the row
in a final state records the event; any other records nothing. Recording is
idempotent: a delivery's ``event_key`` (the event, the row and its job) is
unique per webhook, so a redelivered message, or a second worker, makes no
second delivery. A worker killed after the row changed but before the event was
recorded leaves its message unacknowledged: the redelivery finds the row done
and records the event then. If Redis is down, the delivery row is committed
and the sweeper sends its job later under the same id; nothing is lost.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

import dramatiq
from peewee import IntegrityError

from .clock import iso, to_db, utcnow
from .db import database
from .logs import get_logger
from .models import (
    Mail,
    MailStatus,
    Tweet,
    TweetStatus,
    User,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from .outbox import enqueue_webhook_delivery
from .tweet_details import details, part_states, post_url, posting_handle

log = get_logger(__name__)

#: The prefix of a delivery's id, its ``webhook-id`` header (as Standard Webhooks shows them).
DELIVERY_ID_PREFIX = "msg_"


def new_delivery_id() -> str:
    return DELIVERY_ID_PREFIX + uuid.uuid4().hex


def tweet_data(tweet: Tweet, *, x_web_base_url: str) -> dict[str, Any]:
    """A tweet as the event's ``data``: the fields ``GET /api/tweets/{id}`` answers,
    a thread's parts and the images' ids included."""
    found = details([tweet.id])[tweet.id]
    states = part_states(tweet, found, x_web_base_url)
    return {
        "id": tweet.id,
        "text": tweet.text,
        "status": tweet.status,
        "x_tweet_id": tweet.x_tweet_id,
        "url": post_url(x_web_base_url, posting_handle(tweet), tweet.x_tweet_id),
        "error": tweet.error,
        "created_at": iso(tweet.created_at),
        "sent_at": iso(tweet.sent_at),
        "send_at": iso(tweet.send_at),
        "job_id": tweet.job_id,
        "parts": None if states is None else [dataclasses.asdict(s) for s in states],
        "media_ids": found.media.get(0, []),
    }


def mail_data(mail: Mail) -> dict[str, Any]:
    """A mail as the event's ``data``: the fields ``GET /api/mail/{id}`` answers."""
    return {
        "id": mail.id,
        "kind": mail.kind,
        "recipient": mail.recipient,
        "status": mail.status,
        "error": mail.error,
        "created_at": iso(mail.created_at),
        "sent_at": iso(mail.sent_at),
    }


class WebhookEvents:
    def __init__(self, broker: dramatiq.Broker, *, x_web_base_url: str) -> None:
        self.broker = broker
        self.x_web_base_url = x_web_base_url

    def after_tweet(self, tweet_id: int) -> int:
        """Record the event of the tweet's final state, if it has one; new deliveries."""
        tweet = Tweet.select(Tweet, User).join(User).where(Tweet.id == tweet_id).first()
        if tweet is None or tweet.status not in (TweetStatus.SENT, TweetStatus.FAILED):
            return 0
        sent = tweet.status == TweetStatus.SENT
        event = WebhookEvent.TWEET_SENT if sent else WebhookEvent.TWEET_FAILED
        return self._record(
            tweet.user_id,
            event,
            f"{event}:{tweet.id}:{tweet.job_id}",
            tweet_data(tweet, x_web_base_url=self.x_web_base_url),
            request_id=tweet.request_id,
        )

    def after_mail(self, mail_id: int) -> int:
        """Record the event of the mail's final state, if it has one; new deliveries."""
        mail = Mail.get_or_none(Mail.id == mail_id)
        if mail is None or mail.user_id is None:
            return 0
        if mail.status not in (MailStatus.SENT, MailStatus.FAILED):
            return 0
        sent = mail.status == MailStatus.SENT
        event = WebhookEvent.MAIL_SENT if sent else WebhookEvent.MAIL_FAILED
        return self._record(
            mail.user_id,
            event,
            f"{event}:{mail.id}:{mail.job_id}",
            mail_data(mail),
            request_id=mail.request_id,
        )

    def _record(
        self,
        user_id: int,
        event: WebhookEvent,
        event_key: str,
        data: dict[str, Any],
        *,
        request_id: str | None,
    ) -> int:
        now = utcnow()
        hooks = Webhook.select().where(
            (Webhook.user == user_id)
            & Webhook.disabled_at.is_null()
            & Webhook.events.contains(event)
        )
        body = json.dumps({"type": event, "timestamp": iso(now), "data": data})
        created: list[WebhookDelivery] = []
        for hook in list(hooks):
            if event not in hook.event_names:
                continue
            try:
                with database.atomic():
                    created.append(
                        WebhookDelivery.create(
                            id=new_delivery_id(),
                            webhook=hook,
                            event=event,
                            event_key=event_key,
                            payload=body,
                            next_attempt_at=to_db(now),
                        )
                    )
            except IntegrityError:
                continue  # recorded by an earlier run of this attempt's message
        for delivery in created:
            sent = enqueue_webhook_delivery(
                self.broker, delivery, owner_id=user_id, request_id=request_id
            )
            log.info(
                "webhook_event_recorded",
                delivery_id=delivery.id,
                webhook_id=delivery.webhook_id,
                event_type=str(event),
                enqueued=sent,
            )
        return len(created)
