"""Webhooks end to end: the real web, tweeter and mailer processes, and a receiver on this
machine that checks each delivery's signature with the standardwebhooks library."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from tests.support.processes import wait_until
from tests.support.stack import Person, Stack
from tests.support.webhook_receiver import WebhookReceiver

#: After the last expected call, watch this long for one more.
SETTLE_S = 1.5


@pytest.fixture
def person(stack: Stack) -> Person:
    return stack.sign_in()


def add_webhook(person: Person, url: str, events: list[str]) -> dict:
    r = person.api().post(person.url("/api/webhooks"), json={"url": url, "events": events})
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def deliveries(person: Person, webhook_id: int) -> list[dict]:
    r = person.api().get(person.url(f"/api/webhooks/{webhook_id}/deliveries"), timeout=10)
    r.raise_for_status()
    return r.json()["data"]


def test_a_sent_tweet_is_delivered_signed_and_retried_under_the_same_id(person, local):
    with WebhookReceiver(answers=[500]) as receiver:
        created = add_webhook(person, receiver.url, ["tweet.sent", "tweet.failed"])
        secret = created["secret"]
        assert secret.startswith("whsec_")
        text = f"webhook {uuid.uuid4().hex[:8]}"
        accepted = person.post_tweet(text).json()
        person.wait_job(accepted["job"]["id"])

        calls = receiver.wait_for(lambda c: len(c) >= 2, what="a failed call and its retry")
        time.sleep(SETTLE_S)
        assert len(receiver.calls) == 2, "delivered again after the endpoint took it"

    first, retry = calls[0], calls[1]
    assert (first.answered, retry.answered) == (500, 200)
    assert first.headers["webhook-id"] == retry.headers["webhook-id"]
    assert first.body == retry.body
    verifier = Verifier(secret)
    for call in calls:
        event = verifier.verify(call.body, call.headers)
        assert event["type"] == "tweet.sent"
        assert event["data"]["id"] == accepted["tweet"]["id"]
        assert event["data"]["text"] == text
        assert event["data"]["status"] == "sent"
        assert event["data"]["x_tweet_id"]
    assert call.headers["content-type"] == "application/json"

    [delivery] = deliveries(person, created["webhook"]["id"])
    assert delivery["id"] == first.headers["webhook-id"]
    assert (delivery["event"], delivery["status"]) == ("tweet.sent", "delivered")
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 200]
    assert delivery["attempts"][0]["error"] == "answered 500"
    assert delivery["attempts"][1]["error"] is None
    assert all(a["duration_ms"] >= 0 for a in delivery["attempts"])


def test_a_forged_signature_does_not_verify(person, local):
    """The check above could not pass with any secret: another secret fails it."""
    with WebhookReceiver() as receiver:
        add_webhook(person, receiver.url, ["tweet.sent"])
        accepted = person.post_tweet(f"forged {uuid.uuid4().hex[:8]}").json()
        person.wait_job(accepted["job"]["id"])
        [call] = receiver.wait_for(lambda c: len(c) >= 1, what="one delivery")
    other = Verifier("whsec_" + "A" * 32)
    with pytest.raises(Exception, match="No matching signature"):
        other.verify(call.body, call.headers)


def test_only_the_subscribed_events_of_the_owner_are_delivered(stack, person, local):
    someone_else = stack.sign_in()
    with WebhookReceiver() as receiver:
        add_webhook(person, receiver.url, ["tweet.failed"])
        sent = person.post_tweet(f"not subscribed {uuid.uuid4().hex[:8]}").json()
        person.wait_job(sent["job"]["id"])
        theirs = someone_else.post_tweet(f"not ours {uuid.uuid4().hex[:8]}").json()
        someone_else.wait_job(theirs["job"]["id"])
        stack.set_faults(next_errors=[403])
        failed = person.post_tweet(f"refused {uuid.uuid4().hex[:8]}").json()
        person.wait_job(failed["job"]["id"])
        [call] = receiver.wait_for(lambda c: len(c) >= 1, what="the failed tweet's event")
        time.sleep(SETTLE_S)
        assert len(receiver.calls) == 1
    event = json.loads(call.body)
    assert event["type"] == "tweet.failed"
    assert event["data"]["id"] == failed["tweet"]["id"]
    assert event["data"]["error"]


def test_a_sent_mail_is_delivered(person, local):
    with WebhookReceiver() as receiver:
        add_webhook(person, receiver.url, ["mail.sent"])
        to = f"hook-{uuid.uuid4().hex[:8]}@example.com"
        r = person.api().post(
            person.url("/api/thoughts"), json={"email": to, "thought": "hooks"}, timeout=10
        )
        assert r.status_code == 202, r.text
        [call] = receiver.wait_for(lambda c: len(c) >= 1, what="the mail's event")
    event = json.loads(call.body)
    assert (event["type"], event["data"]["recipient"]) == ("mail.sent", to)


def test_a_private_url_is_refused_unless_allowed(local):
    web, url = local.start_web("web-no-private", WEBHOOK_ALLOW_PRIVATE="0")
    try:
        guarded = Stack(web_url=url, sandbox_url=local.env["X_SANDBOX_PUBLIC_URL"])
        person = guarded.sign_in()
        for hook, kind in (
            ("http://127.0.0.1:9/hook", "loopback"),
            ("http://10.1.2.3/hook", "private"),
            ("http://169.254.169.254/latest/meta-data", "link-local"),
            ("http://localhost/hook", "loopback"),
        ):
            r = person.api().post(
                person.url("/api/webhooks"), json={"url": hook, "events": ["tweet.sent"]}
            )
            assert r.status_code == 422, (hook, r.status_code, r.text)
            assert f"a {kind} address" in r.json()["description"], r.text
        r = person.api().get(person.url("/api/webhooks"), timeout=10)
        assert r.json() == {"data": []}
    finally:
        web.stop()


def test_deleting_a_webhook_stops_its_deliveries(person, local):
    with WebhookReceiver() as receiver:
        created = add_webhook(person, receiver.url, ["tweet.sent"])
        r = person.api().delete(person.url(f"/api/webhooks/{created['webhook']['id']}"))
        assert r.status_code == 204
        accepted = person.post_tweet(f"after delete {uuid.uuid4().hex[:8]}").json()
        person.wait_job(accepted["job"]["id"])
        time.sleep(SETTLE_S)
        assert receiver.calls == []
    r = person.api().get(person.url(f"/api/webhooks/{created['webhook']['id']}/deliveries"))
    assert r.status_code == 404


def test_an_endpoint_failing_for_too_long_is_disabled_and_its_owner_mailed(person, local):
    """With WEBHOOK_DISABLE_AFTER_S at 2 s for a mailer of its own, an endpoint that
    answers 500 to every attempt is disabled within the retries, once, and mailed about."""
    sink = local.smtp
    assert sink is not None
    to = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    r = person.api().patch(person.url("/api/me"), json={"email": to}, timeout=10)
    assert r.status_code == 200
    sink.wait_for_recipient(to)  # the welcome
    for mailer in local.mailers:
        mailer.stop()
    local.mailers.clear()
    local.start_mailer(WEBHOOK_DISABLE_AFTER_S="2", WEBHOOK_RETRY_DELAYS_S="1,1,1,1,1,1")
    try:
        with WebhookReceiver(answers=[500] * 20) as receiver:
            created = add_webhook(person, receiver.url, ["tweet.sent"])
            hook_id = created["webhook"]["id"]
            accepted = person.post_tweet(f"to a broken hook {uuid.uuid4().hex[:8]}").json()
            person.wait_job(accepted["job"]["id"])

            def disabled() -> bool:
                r = person.api().get(person.url("/api/webhooks"), timeout=10)
                return any(h["disabled_at"] for h in r.json()["data"] if h["id"] == hook_id)

            wait_until(disabled, timeout=30, what="the webhook to be disabled")
            notice = sink.wait_for(
                lambda m: to in m.recipients and "disabled" in (m["Subject"] or ""),
                what="the notice that the webhook was disabled",
            )
            calls_then = len(receiver.calls)
            later = person.post_tweet(f"after disabling {uuid.uuid4().hex[:8]}").json()
            person.wait_job(later["job"]["id"])
            time.sleep(SETTLE_S)
            assert len(receiver.calls) == calls_then, "a disabled webhook was called"
    finally:
        for mailer in local.mailers:
            mailer.stop()
        local.mailers.clear()
        local.start_mailer()
    assert receiver.url in notice.text
    [hook] = [h for h in person.api().get(person.url("/api/webhooks")).json()["data"]]
    assert "every attempt has failed for 2 seconds" in hook["disabled_reason"]
    [delivery] = deliveries(person, hook_id)
    assert delivery["status"] == "failed"
    assert len(delivery["attempts"]) >= 2
    assert len([m for m in sink.to(to) if "disabled" in (m["Subject"] or "")]) == 1
