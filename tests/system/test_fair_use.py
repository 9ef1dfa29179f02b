"""Fair use against a real gunicorn (2 workers, threads): twelve simultaneous requests
over a limit of three get exactly three through, for thoughts and for pending tweets.

Counting then inserting would let most of the twelve see room; the web checks and
writes under the person's row lock (tweetnow.web.domain.fair_use).
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.local_stack import LocalStack
from tests.support.stack import Person, Stack, http_session
from tests.support.stack_database import stack_database
from tweetnow.shared.models import Mail, User

LIMIT = 3
SIMULTANEOUS = 12


@pytest.fixture(scope="module")
def limited(local: LocalStack) -> Iterator[Stack]:
    """A web with both limits at three, and threads enough to hold all twelve requests."""
    proc, url = local.start_web(
        "web-limited",
        THOUGHTS_PER_HOUR=str(LIMIT),
        MAX_PENDING_TWEETS=str(LIMIT),
        WEB_CONCURRENCY="2",
        WEB_THREADS="6",
    )
    yield Stack(web_url=url, sandbox_url=local.env["X_SANDBOX_PUBLIC_URL"])
    proc.stop()


def all_at_once(person: Person, path: str, bodies: list[dict]) -> list[requests.Response]:
    """POST every body at the same moment, each from its own thread and connection."""
    token = person.token or person.create_token()
    start = threading.Barrier(len(bodies))
    answers: list[requests.Response | None] = [None] * len(bodies)

    def post(i: int) -> None:
        session = http_session()
        session.headers["Authorization"] = f"Bearer {token}"
        start.wait()
        answers[i] = session.post(person.url(path), json=bodies[i], timeout=30)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def test_12_simultaneous_thoughts_with_a_limit_of_3_create_exactly_3_mails(
    local: LocalStack, limited: Stack
):
    person = limited.sign_in()
    bodies = [
        {"email": f"friend-{uuid.uuid4().hex[:8]}@example.com", "thought": f"thought {i}"}
        for i in range(SIMULTANEOUS)
    ]
    answers = all_at_once(person, "/api/thoughts", bodies)
    assert Counter(a.status_code for a in answers) == {202: LIMIT, 429: SIMULTANEOUS - LIMIT}
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.json()["title"] == "Too many thoughts"
    assert int(refused.headers["Retry-After"]) > 0
    # Exactly the accepted mails exist: each 202's mail, and no other.
    with stack_database(local):
        mails = Mail.select(Mail.id).join(User).where(User.username == person.username)
        assert sorted(m.id for m in mails) == sorted(
            a.json()["mail"]["id"] for a in answers if a.status_code == 202
        )
    one_more = person.api().post(
        person.url("/api/thoughts"), json={"email": "late@example.com", "thought": "x"}, timeout=10
    )
    assert one_more.status_code == 429


def test_12_simultaneous_tweets_with_a_pending_limit_of_3_accept_exactly_3(limited: Stack):
    person = limited.sign_in()
    send_at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    bodies = [
        {"text": f"pending {i} {uuid.uuid4().hex[:6]}", "send_at": send_at}
        for i in range(SIMULTANEOUS)
    ]
    answers = all_at_once(person, "/api/tweets", bodies)
    assert Counter(a.status_code for a in answers) == {202: LIMIT, 429: SIMULTANEOUS - LIMIT}
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.json()["title"] == "Too many pending tweets"
    listed = person.api().get(person.url("/api/tweets"), timeout=10).json()["data"]
    assert sorted(t["id"] for t in listed) == sorted(
        a.json()["tweet"]["id"] for a in answers if a.status_code == 202
    )
