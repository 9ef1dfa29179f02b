"""When X stops taking a connection's access: its tweets are held (not failed), its person
gets one mail and a banner, and reconnecting sends the held tweets on, each once.
Disconnecting an account cancels its pending tweets.

Run with two tweeter processes, so that both can meet the refusal at once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.local_stack import LocalStack
from tests.support.processes import wait_until
from tests.support.smtp_sink import ReceivedMail, SmtpSink
from tests.support.stack import Person, Stack

#: After the first notice arrives, watch this long for a second one.
SETTLE_S = 2.0


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def handle() -> str:
    return f"recon{uuid.uuid4().hex[:10]}"


@pytest.fixture
def smtp(local: LocalStack) -> Iterator[SmtpSink]:
    sink = local.smtp
    assert sink is not None
    sink.reset()
    yield sink
    sink.reset()


@pytest.fixture
def two_tweeters(local: LocalStack) -> None:
    while sum(p.alive() for p in local.tweeters) < 2:
        local.start_tweeter()


def tweet_status(person: Person, tweet_id: int, status: str) -> dict:
    found: dict = {}

    def reached() -> bool:
        found.update(person.tweet(tweet_id))
        return found["status"] == status

    wait_until(reached, timeout=30, what=f"tweet {tweet_id} {status}")
    return found


def reconnect_notices(smtp: SmtpSink, to: str) -> list[ReceivedMail]:
    return [
        m for m in smtp.received if to in m.recipients and m["Subject"].startswith("Reconnect @")
    ]


def test_a_revoked_connection_holds_tweets_mails_once_and_posts_them_after_reconnecting(
    stack: Stack, smtp: SmtpSink, two_tweeters: None
):
    person = stack.sign_in(handle())
    to = f"reconnect-{uuid.uuid4().hex[:10]}@example.com"
    r = person.api().patch(person.url("/api/me"), json={"email": to}, timeout=10)
    assert r.status_code == 200, r.text
    stack.revoke_x_user(person.username)

    texts = [unique(f"waits for reconnecting {n}") for n in range(4)]
    accepted = [person.post_tweet(text).json() for text in texts]
    held = [tweet_status(person, a["tweet"]["id"], "held") for a in accepted]
    assert all(f"@{person.username}" in t["error"] for t in held)
    # Each held tweet's job ended: it has no live job until it is released.
    for a in accepted:
        assert person.wait_job(a["job"]["id"])["status"] == "succeeded"
    assert stack.sandbox_tweets(person.username) == []
    (account,) = person.accounts()
    assert account["status"] == "reconnect_needed"

    smtp.wait_for(
        lambda m: to in m.recipients and m["Subject"].startswith("Reconnect @"),
        what="the reconnect notice",
    )
    time.sleep(SETTLE_S)
    (notice,) = reconnect_notices(smtp, to)
    assert notice["Subject"] == f"Reconnect @{person.username}: its tweets are waiting"
    assert "/account" in notice.text and f"@{person.username}" in notice.html
    # No failed-tweet notice: nothing failed.
    assert not [m for m in smtp.received if m["Subject"].startswith("Your tweet could not")]

    page = person.session.get(person.url("/tweets"), timeout=10).text
    assert 'id="reconnect-banner"' in page
    assert 'href="/auth/x/login?intent=connect"' in page

    # Signing in with X again renews the tokens (the sandbox lifts the revocation too).
    stack.sign_in(person.username, session=person.session)
    sent = [tweet_status(person, a["tweet"]["id"], "sent") for a in accepted]
    assert all(t["job_id"] != a["job"]["id"] for t, a in zip(sent, accepted, strict=True))
    on_x = [t["text"] for t in stack.sandbox_tweets(person.username)]
    assert sorted(on_x) == sorted(texts)
    assert person.accounts()[0]["status"] == "active"
    page = person.session.get(person.url("/tweets"), timeout=10).text
    assert 'id="reconnect-banner"' not in page
    assert len(reconnect_notices(smtp, to)) == 1


def test_disconnecting_an_account_cancels_its_pending_tweets_with_the_reason(stack: Stack):
    person = stack.sign_in(handle())
    second = handle()
    account = person.connect_x_account(second)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    later = person.post_tweet(unique("never goes"), account_id=account["id"], send_at=tomorrow)
    assert later.status_code == 202, later.text
    mine = person.post_tweet(unique("stays"), send_at=tomorrow)
    assert mine.status_code == 202, mine.text

    r = person.session.delete(
        person.url(f"/api/accounts/{account['id']}"),
        headers={"X-CSRF-Token": person.csrf},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "disconnected"
    canceled = person.tweet(later.json()["tweet"]["id"])
    assert canceled["status"] == "canceled"
    assert canceled["error"] == f"the X account @{second} was disconnected"
    assert person.tweet(mine.json()["tweet"]["id"])["status"] == "scheduled"

    refused = person.post_tweet(unique("no longer"), account_id=account["id"])
    assert refused.status_code == 422, refused.text
    compose = person.session.get(person.url("/"), timeout=10).text
    assert f"@{second}" not in compose  # no longer one to post as


def test_the_account_signed_in_with_cannot_be_disconnected(stack: Stack):
    person = stack.sign_in(handle())
    (own,) = person.accounts()
    r = person.session.delete(
        person.url(f"/api/accounts/{own['id']}"),
        headers={"X-CSRF-Token": person.csrf},
        timeout=10,
    )
    assert r.status_code == 409, r.text
    assert "sign in with" in r.json()["description"]
    assert person.accounts()[0]["status"] == "active"
