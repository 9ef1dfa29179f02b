"""State changes of webhook deliveries and their endpoints, each one guarded, so that a
redelivered or duplicated message never delivers an event twice after it was taken,
and an endpoint is disabled (and its owner told) once.

A ``pending`` delivery that is due, or a ``sending`` one whose lease ran out
(its worker died), can be claimed (leases: tweetnow.shared.leases).
``delivered`` and ``failed`` rows are never touched again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tweetnow.shared import leases
from tweetnow.shared.clock import from_db, to_db, utcnow
from tweetnow.shared.leases import Busy, Finished
from tweetnow.shared.models import DeliveryStatus, Webhook, WebhookAttempt, WebhookDelivery

#: A delivery this close to its next attempt may go.
DUE_TOLERANCE = timedelta(seconds=1)


@dataclass(frozen=True)
class Claimed:
    delivery: WebhookDelivery
    webhook: Webhook


@dataclass(frozen=True)
class NotDue:
    """A message that came before the delivery's next attempt (e.g. re-sent by the sweeper)."""

    next_attempt_at: datetime


def claim(delivery_id: str, lease_s: float) -> Claimed | Busy | Finished | NotDue | None:
    """Take the delivery for one attempt, or say why not (None: it, or its webhook, is gone)."""
    delivery = WebhookDelivery.get_or_none(WebhookDelivery.id == delivery_id)
    if delivery is None:
        return None
    due = from_db(delivery.next_attempt_at)
    if delivery.status == DeliveryStatus.PENDING and due and due > utcnow() + DUE_TOLERANCE:
        return NotDue(next_attempt_at=due)
    pending = WebhookDelivery.status == DeliveryStatus.PENDING
    if leases.take(WebhookDelivery, delivery_id, lease_s=lease_s, claimable=pending):
        taken = WebhookDelivery.get_by_id(delivery_id)
        return Claimed(delivery=taken, webhook=Webhook.get_by_id(taken.webhook_id))
    return leases.why_not(WebhookDelivery.get_by_id(delivery_id))


def record_attempt(
    delivery_id: str, *, status_code: int | None, duration_ms: int, error: str | None
) -> None:
    WebhookAttempt.create(
        delivery=delivery_id,
        attempted_at=to_db(utcnow()),
        status_code=status_code,
        duration_ms=duration_ms,
        error=error,
        succeeded=error is None,
    )


def mark_delivered(delivery: WebhookDelivery) -> bool:
    """The endpoint took it; its run of failures, if any, is over."""
    now = to_db(utcnow())
    done = leases.finish(
        WebhookDelivery,
        delivery.id,
        status=DeliveryStatus.DELIVERED,
        delivered_at=now,
        next_attempt_at=None,
        error=None,
    )
    Webhook.update(failing_since=None).where(Webhook.id == delivery.webhook_id).execute()
    return done


def mark_failed(delivery_id: str, reason: str) -> bool:
    return leases.finish(
        WebhookDelivery,
        delivery_id,
        status=DeliveryStatus.FAILED,
        error=reason,
        next_attempt_at=None,
    )


def release(delivery_id: str, reason: str, *, next_attempt_at: datetime) -> bool:
    """Back to ``pending`` until ``next_attempt_at``, after an attempt the endpoint refused."""
    return leases.finish(
        WebhookDelivery,
        delivery_id,
        status=DeliveryStatus.PENDING,
        error=reason,
        next_attempt_at=to_db(next_attempt_at),
    )


def failing_since(webhook_id: int) -> datetime:
    """Note a failed attempt: when the endpoint's current run of failures began."""
    now = utcnow()
    Webhook.update(failing_since=to_db(now)).where(
        (Webhook.id == webhook_id) & Webhook.failing_since.is_null()
    ).execute()
    since = Webhook.select(Webhook.failing_since).where(Webhook.id == webhook_id).scalar()
    return from_db(since) or now


def disable(webhook_id: int, reason: str) -> bool:
    """Disable the endpoint and end its waiting deliveries; True only for the call that
    disabled it (so its owner is told once)."""
    disabled = (
        Webhook.update(disabled_at=to_db(utcnow()), disabled_reason=reason)
        .where((Webhook.id == webhook_id) & Webhook.disabled_at.is_null())
        .execute()
    )
    WebhookDelivery.update(
        status=DeliveryStatus.FAILED, error=reason, next_attempt_at=None, updated_at=to_db(utcnow())
    ).where(
        (WebhookDelivery.webhook == webhook_id) & (WebhookDelivery.status == DeliveryStatus.PENDING)
    ).execute()
    return bool(disabled)
