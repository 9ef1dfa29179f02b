"""Idempotency-Key against a real gunicorn: the same request sent twelve times at once,
from twelve connections, creates one tweet, posted once, and every answer is the first.

The second of two requests with the same key waits for the first under the person's
row lock, then answers with what the first committed (tweetnow.web.domain.idempotency).
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import requests

from tests.support.stack import Person, Stack, http_session

SIMULTANEOUS = 12


def post_at_once(person: Person, key: str, body: dict, times: int) -> list[requests.Response]:
    """POST ``body`` with ``key`` ``times`` times at the same moment, each on its own connection."""
    token = person.token or person.create_token()
    start = threading.Barrier(times)
    answers: list[requests.Response | None] = [None] * times

    def post(i: int) -> None:
        session = http_session()
        session.headers.update({"Authorization": f"Bearer {token}", "Idempotency-Key": key})
        start.wait()
        answers[i] = session.post(person.url("/api/tweets"), json=body, timeout=30)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [a for a in answers if a is not None]


def test_the_same_keyed_post_sent_12_times_at_once_is_one_tweet_posted_once(stack: Stack):
    person = stack.sign_in()
    text = f"once only {uuid.uuid4().hex[:8]}"
    key = str(uuid.uuid4())
    answers = post_at_once(person, key, {"text": text}, SIMULTANEOUS)
    assert Counter(a.status_code for a in answers) == {202: SIMULTANEOUS}
    assert len({a.content for a in answers}) == 1  # every answer is the first one
    assert Counter(a.headers.get("Idempotent-Replayed") for a in answers) == {
        None: 1,
        "true": SIMULTANEOUS - 1,
    }
    job = person.wait_job(answers[0].json()["job"]["id"])
    assert job["status"] == "succeeded"
    listed = person.api().get(person.url("/api/tweets"), timeout=10).json()["data"]
    assert [t["text"] for t in listed] == [text]
    assert [t["text"] for t in stack.sandbox_tweets(person.username)] == [text]


def test_a_key_reused_with_another_body_is_422_and_posts_nothing_more(stack: Stack):
    person = stack.sign_in()
    key = str(uuid.uuid4())
    first = person.api().post(
        person.url("/api/tweets"), json={"text": "first"}, headers={"Idempotency-Key": key}
    )
    assert first.status_code == 202
    other = person.api().post(
        person.url("/api/tweets"), json={"text": "second"}, headers={"Idempotency-Key": key}
    )
    assert other.status_code == 422
    assert "different body" in other.json()["description"]
    person.wait_job(first.json()["job"]["id"])
    assert [t["text"] for t in stack.sandbox_tweets(person.username)] == ["first"]
