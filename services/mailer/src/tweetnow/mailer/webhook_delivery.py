"""Delivering one webhook event: claim the delivery, check where it goes, sign it, POST
it, record the attempt; retry on the schedule; disable an endpoint failing for too long.
And the ``deliver_webhook`` actor that does it, on the ``webhooks`` queue.

Deliveries are at least once. Every attempt carries the same ``webhook-id`` (the
delivery's id) and body, with a fresh ``webhook-timestamp`` and
``webhook-signature`` (Standard Webhooks, signed with the ``standardwebhooks``
library), so a receiver drops a copy by its id. A 2xx answer delivers it; any
other answer (a redirect too: it is not followed), a refused address, a network
error or a timeout is a failed attempt: the next waits the next delay of
``WEBHOOK_RETRY_DELAYS_S``, and after the last the delivery fails. An endpoint
whose attempts have failed without a success in between for
``WEBHOOK_DISABLE_AFTER_S`` (3 days) is disabled, its waiting deliveries end,
and its owner gets one mail saying so.
"""

from __future__ import annotations

import http.client
from datetime import timedelta

import dramatiq
from standardwebhooks.webhooks import Webhook as Signer

from tweetnow.shared.clock import utcnow
from tweetnow.shared.contracts import PermanentFailure, consumes
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.logs import get_logger
from tweetnow.shared.messages import DELIVER_WEBHOOK, DeliverWebhook, retry_policy
from tweetnow.shared.models import MailKind, User, Webhook, WebhookDelivery
from tweetnow.shared.outbox import request_mail
from tweetnow.shared.webhook_addresses import RefusedUrl, check_url
from tweetnow.shared.worker import WorkerRuntime

from . import webhook_http, webhook_rows
from .webhook_rows import Claimed, NotDue

log = get_logger(__name__)

#: After a lease held by another worker ends, wait this much longer before looking again.
LEASE_SLACK = timedelta(milliseconds=500)


class WebhookRetry(dramatiq.Retry):
    """The endpoint did not take the event; the next attempt waits the schedule's delay."""


def describe_days(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:g} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:g} hours"
    return f"{seconds:g} seconds"


class WebhookSender:
    def __init__(
        self,
        *,
        broker: dramatiq.Broker,
        box: SecretBox,
        allow_private: bool,
        timeout_s: float,
        retry_delays_s: tuple[float, ...],
        disable_after_s: int,
        lease_s: float,
    ) -> None:
        self.broker = broker
        self.box = box
        self.allow_private = allow_private
        self.timeout_s = timeout_s
        self.retry_delays_s = retry_delays_s
        self.disable_after_s = disable_after_s
        self.lease_s = lease_s

    def deliver(self, delivery_id: str) -> None:
        claim = webhook_rows.claim(delivery_id, self.lease_s)
        if claim is None:
            log.info("webhook_delivery_gone", delivery_id=delivery_id)
            return
        if isinstance(claim, webhook_rows.Finished):
            log.info("webhook_delivery_already_done", delivery_id=delivery_id, status=claim.status)
            return
        if isinstance(claim, webhook_rows.Busy):
            wait = max(claim.lease_until - utcnow(), timedelta(0)) + LEASE_SLACK
            raise dramatiq.Retry(
                "another worker is delivering this event", delay=int(wait.total_seconds() * 1000)
            )
        if isinstance(claim, NotDue):
            wait = claim.next_attempt_at - utcnow()
            raise dramatiq.Retry(
                "the next attempt is not due yet", delay=max(int(wait.total_seconds() * 1000), 0)
            )
        self._attempt(claim)

    def _attempt(self, claim: Claimed) -> None:
        delivery, hook = claim.delivery, claim.webhook
        if hook.disabled_at is not None:
            webhook_rows.mark_failed(delivery.id, "the webhook is disabled")
            log.info("webhook_delivery_dropped", delivery_id=delivery.id, webhook_id=hook.id)
            return
        status_code, duration_ms, error = self._call(delivery, hook)
        webhook_rows.record_attempt(
            delivery.id, status_code=status_code, duration_ms=duration_ms, error=error
        )
        if error is None:
            webhook_rows.mark_delivered(delivery)
            log.info(
                "webhook_delivered",
                delivery_id=delivery.id,
                webhook_id=hook.id,
                status_code=status_code,
                attempt=delivery.attempts,
                duration_ms=duration_ms,
            )
            return
        self._failed(delivery, hook, error)

    def _call(self, delivery: WebhookDelivery, hook: Webhook) -> tuple[int | None, int, str | None]:
        """One signed POST: (status code, milliseconds, error or None)."""
        try:
            target = check_url(hook.url, allow_private=self.allow_private)
        except RefusedUrl as exc:
            return None, 0, str(exc)
        now = utcnow()
        signature = Signer(self.box.decrypt(hook.secret)).sign(delivery.id, now, delivery.payload)
        headers = {
            "webhook-id": delivery.id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }
        started = utcnow()
        try:
            answer = webhook_http.post(
                target, delivery.payload.encode(), headers, timeout_s=self.timeout_s
            )
        except TimeoutError:
            elapsed = int((utcnow() - started).total_seconds() * 1000)
            return None, elapsed, f"no answer within {self.timeout_s:g} s"
        except (OSError, http.client.HTTPException) as exc:
            elapsed = int((utcnow() - started).total_seconds() * 1000)
            return None, elapsed, f"could not be reached: {exc or type(exc).__name__}"
        if 200 <= answer.status < 300:
            return answer.status, answer.duration_ms, None
        if 300 <= answer.status < 400:
            why = f"answered {answer.status}, a redirect (not followed: give the final URL)"
            return answer.status, answer.duration_ms, why
        return answer.status, answer.duration_ms, f"answered {answer.status}"

    def _failed(self, delivery: WebhookDelivery, hook: Webhook, error: str) -> None:
        now = utcnow()
        since = webhook_rows.failing_since(hook.id)
        if (now - since).total_seconds() >= self.disable_after_s:
            reason = (
                f"every attempt has failed for {describe_days(self.disable_after_s)} "
                f"(the last: {error})"
            )
            webhook_rows.mark_failed(delivery.id, error)
            if webhook_rows.disable(hook.id, reason):
                log.warning("webhook_disabled", webhook_id=hook.id, reason=reason)
                self._tell_owner(hook, reason)
            raise PermanentFailure(f"the webhook was disabled: {reason}")
        attempt = delivery.attempts
        if attempt > len(self.retry_delays_s):
            reason = f"{error}; gave up after {attempt} attempts"
            webhook_rows.mark_failed(delivery.id, reason)
            log.warning("webhook_delivery_failed", delivery_id=delivery.id, reason=reason)
            raise PermanentFailure(reason)
        delay_s = self.retry_delays_s[attempt - 1]
        webhook_rows.release(
            delivery.id, f"{error}; retrying", next_attempt_at=now + timedelta(seconds=delay_s)
        )
        log.info(
            "webhook_delivery_will_retry",
            delivery_id=delivery.id,
            attempt=attempt,
            error=error,
            delay_s=delay_s,
        )
        raise WebhookRetry(error, delay=int(delay_s * 1000))

    def _tell_owner(self, hook: Webhook, reason: str) -> None:
        owner = User.get_by_id(hook.user_id)
        if not owner.email:
            log.info("webhook_disabled_no_address", webhook_id=hook.id)
            return
        request_mail(
            self.broker,
            kind=MailKind.WEBHOOK_DISABLED,
            recipient=owner.email,
            user=owner,
            data={"url": hook.url, "reason": reason, "webhook_id": hook.id},
            dedupe_key=f"webhook_disabled:{hook.id}",
        )


def declare_deliver_webhook(runtime: WorkerRuntime) -> None:
    """Declare the ``deliver_webhook`` actor, with the sender its settings describe."""
    settings = runtime.settings
    retry = retry_policy(DELIVER_WEBHOOK, settings)
    sender = WebhookSender(
        broker=runtime.broker,
        box=SecretBox(settings.encryption_keys),
        allow_private=settings.webhook_allow_private,
        timeout_s=settings.webhook_timeout_s,
        retry_delays_s=settings.webhook_retry_delays_s,
        disable_after_s=settings.webhook_disable_after_s,
        lease_s=settings.webhook_lease_s,
    )

    @consumes(DELIVER_WEBHOOK, broker=runtime.broker, retry=retry)
    def deliver_webhook(payload: DeliverWebhook) -> None:
        with runtime.database.connection_context():
            sender.deliver(payload.delivery_id)
