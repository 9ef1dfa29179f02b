"""Webhooks: the caller's HTTP endpoints told when a tweet or a mail reaches its end.

A webhook is created with its URL checked (it must resolve to public
addresses only, unless ``WEBHOOK_ALLOW_PRIVATE``: see
``tweetnow.shared.webhook_addresses``) and a signing secret shown once; the
secret is kept encrypted, since the mailer needs it to sign every delivery.
Deleting one also deletes its deliveries, and a delivery whose webhook is gone
is not attempted again.
"""

from __future__ import annotations

import base64
import secrets

from tweetnow.shared.clock import iso, to_db, utcnow
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import DeliveryStatus, User, Webhook, WebhookAttempt, WebhookEvent
from tweetnow.shared.models import WebhookDelivery as DeliveryRow
from tweetnow.shared.webhook_addresses import RefusedUrl, check_url

from ..deps import WebDeps
from ..schemas import (
    DeliveryAttempt,
    WebhookCreate,
    WebhookDeliveryInfo,
    WebhookDeliveryList,
    WebhookInfo,
    WebhookIssued,
    WebhookList,
    timestamp,
)
from .errors import Invalid, NotFound

log = get_logger(__name__)

#: Webhooks one person may have (disabled ones count until deleted).
MAX_WEBHOOKS = 10
#: The prefix Standard Webhooks gives a secret; 24 random bytes follow, in base64.
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def info(row: Webhook) -> WebhookInfo:
    return WebhookInfo(
        id=row.id,
        url=row.url,
        events=[WebhookEvent(e) for e in row.event_names],
        created_at=timestamp(row.created_at),
        failing_since=iso(row.failing_since),
        disabled_at=iso(row.disabled_at),
        disabled_reason=row.disabled_reason,
    )


class WebhookService:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def create(self, user: User, request: WebhookCreate) -> WebhookIssued:
        """A new webhook for ``user``, with its secret (the only time it is seen)."""
        url = request.url.strip()
        try:
            check_url(url, allow_private=self.deps.settings.webhook_allow_private)
        except RefusedUrl as exc:
            raise Invalid(str(exc), field="url") from None
        events = sorted(set(request.events), key=list(WebhookEvent).index)
        if Webhook.select().where(Webhook.user == user).count() >= MAX_WEBHOOKS:
            raise Invalid(
                f"You have {MAX_WEBHOOKS} webhooks already: delete one first.", field="url"
            )
        secret = new_secret()
        row = Webhook.create(
            user=user,
            url=url,
            events=",".join(events),
            secret=self.deps.box.encrypt(secret),
            created_at=to_db(utcnow()),
        )
        log.info("webhook_created", webhook_id=row.id, events=",".join(events))
        return WebhookIssued(webhook=info(row), secret=secret)

    def all(self, user: User) -> WebhookList:
        """The user's webhooks, newest first, disabled ones included."""
        rows = Webhook.select().where(Webhook.user == user).order_by(Webhook.id.desc())
        return WebhookList(data=[info(row) for row in rows])

    def delete(self, user: User, webhook_id: int) -> None:
        deleted = (
            Webhook.delete().where((Webhook.id == webhook_id) & (Webhook.user == user)).execute()
        )
        if not deleted:
            raise NotFound("webhook")
        log.info("webhook_deleted", webhook_id=webhook_id)

    def deliveries(self, user: User, webhook_id: int, *, limit: int) -> WebhookDeliveryList:
        """The webhook's latest ``limit`` deliveries, newest first, each with its attempts."""
        hook = Webhook.get_or_none((Webhook.id == webhook_id) & (Webhook.user == user))
        if hook is None:
            raise NotFound("webhook")
        rows = list(
            DeliveryRow.select()
            .where(DeliveryRow.webhook == hook)
            .order_by(DeliveryRow.created_at.desc(), DeliveryRow.id.desc())
            .limit(limit)
        )
        attempts: dict[str, list[DeliveryAttempt]] = {row.id: [] for row in rows}
        if rows:
            for attempt in (
                WebhookAttempt.select()
                .where(WebhookAttempt.delivery.in_(list(attempts)))
                .order_by(WebhookAttempt.id)
            ):
                attempts[attempt.delivery_id].append(
                    DeliveryAttempt(
                        at=timestamp(attempt.attempted_at),
                        status_code=attempt.status_code,
                        duration_ms=attempt.duration_ms,
                        error=attempt.error,
                    )
                )
        return WebhookDeliveryList(
            data=[
                WebhookDeliveryInfo(
                    id=row.id,
                    event=WebhookEvent(row.event),
                    status=DeliveryStatus(row.status),
                    created_at=timestamp(row.created_at),
                    delivered_at=iso(row.delivered_at),
                    next_attempt_at=iso(row.next_attempt_at)
                    if row.status == DeliveryStatus.PENDING
                    else None,
                    error=row.error,
                    attempts=attempts[row.id],
                )
                for row in rows
            ]
        )
