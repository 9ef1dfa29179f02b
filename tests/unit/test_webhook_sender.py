"""One webhook attempt in-process (real SQLite, Redis and a local HTTP receiver): what is
sent, what an answer means, and the address check made again at delivery."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from tests.support.accounts import make_user
from tests.support.webhook_receiver import WebhookReceiver
from tweetnow.mailer.webhook_delivery import WebhookRetry, WebhookSender
from tweetnow.shared.clock import from_db, utcnow
from tweetnow.shared.contracts import PermanentFailure
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.models import Webhook, WebhookAttempt, WebhookDelivery

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def sender(deps, *, allow_private: bool = True, delays=(2.0, 60.0)) -> WebhookSender:
    return WebhookSender(
        broker=deps.broker,
        box=SecretBox(deps.settings.encryption_keys),
        allow_private=allow_private,
        timeout_s=3,
        retry_delays_s=delays,
        disable_after_s=3 * 86400,
        lease_s=10,
    )


def delivery_to(deps, url: str) -> WebhookDelivery:
    owner = make_user(deps.box, "alice")
    hook = Webhook.create(user=owner, url=url, events="tweet.sent", secret=deps.box.encrypt(SECRET))
    return WebhookDelivery.create(
        id="msg_unit1",
        webhook=hook,
        event="tweet.sent",
        event_key="tweet.sent:1:job",
        payload=json.dumps({"type": "tweet.sent", "data": {"id": 1}}),
    )


def test_a_delivery_is_signed_and_a_2xx_delivers_it(deps):
    with WebhookReceiver() as receiver:
        delivery = delivery_to(deps, receiver.url + "?src=tweetnow")
        sender(deps).deliver(delivery.id)
        [call] = receiver.calls
    assert call.path == "/hook?src=tweetnow"
    assert Verifier(SECRET).verify(call.body, call.headers) == {
        "type": "tweet.sent",
        "data": {"id": 1},
    }
    assert call.headers["webhook-id"] == "msg_unit1"
    row = WebhookDelivery.get_by_id("msg_unit1")
    assert (row.status, row.attempts, row.error) == ("delivered", 1, None)
    [attempt] = WebhookAttempt.select()
    assert (attempt.status_code, attempt.error, attempt.succeeded) == (200, None, True)
    sender(deps).deliver(delivery.id)  # a redelivered message
    assert len(receiver.calls) == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, "answered 500"),
        (302, "answered 302, a redirect (not followed: give the final URL)"),
        (404, "answered 404"),
    ],
)
def test_any_other_answer_is_retried_after_the_schedules_delay(deps, status, error):
    with WebhookReceiver(answers=[status]) as receiver:
        delivery = delivery_to(deps, receiver.url)
        with pytest.raises(WebhookRetry) as retry:
            sender(deps, delays=(2.0, 60.0)).deliver(delivery.id)
    assert retry.value.delay == 2000
    row = WebhookDelivery.get_by_id(delivery.id)
    assert row.status == "pending" and row.error == f"{error}; retrying"
    wait = (from_db(row.next_attempt_at) - utcnow()).total_seconds()
    assert 1 < wait <= 2
    assert Webhook.get_by_id(row.webhook_id).failing_since is not None
    [attempt] = WebhookAttempt.select()
    assert (attempt.status_code, attempt.error) == (status, error)


def test_after_the_last_delay_the_delivery_fails(deps):
    with WebhookReceiver(answers=[500, 500]) as receiver:
        delivery = delivery_to(deps, receiver.url)
        WebhookDelivery.update(attempts=1).where(WebhookDelivery.id == delivery.id).execute()
        with pytest.raises(PermanentFailure, match="gave up after 2 attempts"):
            sender(deps, delays=(0.0,)).deliver(delivery.id)
    assert WebhookDelivery.get_by_id(delivery.id).status == "failed"


def test_the_address_is_checked_again_at_delivery(deps):
    """Created while private addresses were allowed (or before the name moved there), the
    endpoint now resolves to loopback: nothing is sent, the attempt says why."""
    with WebhookReceiver() as receiver:
        delivery = delivery_to(deps, receiver.url)
        with pytest.raises(WebhookRetry):
            sender(deps, allow_private=False).deliver(delivery.id)
        assert receiver.calls == []
    [attempt] = WebhookAttempt.select()
    assert attempt.status_code is None
    assert "127.0.0.1, a loopback address" in attempt.error
