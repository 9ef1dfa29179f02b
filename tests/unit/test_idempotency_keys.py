"""Idempotency-Key in-process: a retried POST gets its first answer and writes nothing new."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.web_api import bearer, queued_job_ids
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.models import IDEMPOTENCY_KEY_LIFETIME, IdempotencyKey, Mail, Tweet
from tweetnow.tweeter.housekeeping import cleanup


def keyed(token: str, key: str) -> dict[str, str]:
    return {**bearer(token), "Idempotency-Key": key}


def test_same_key_same_body_gets_the_first_answer_and_one_tweet(client, alice, redis_client):
    _, token = alice
    first = client.simulate_post("/api/tweets", json={"text": "once"}, headers=keyed(token, "k1"))
    again = client.simulate_post(
        "/api/tweets",
        body='{ "text":  "once" }',
        headers={**keyed(token, "k1"), "Content-Type": "application/json"},
    )
    assert first.status_code == again.status_code == 202
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Tweet.select().count() == 1
    assert queued_job_ids(redis_client) == [first.json["job"]["id"]]


def test_same_key_other_body_is_422_and_writes_nothing(client, alice, redis_client):
    _, token = alice
    client.simulate_post("/api/tweets", json={"text": "one"}, headers=keyed(token, "k2"))
    r = client.simulate_post("/api/tweets", json={"text": "two"}, headers=keyed(token, "k2"))
    assert r.status_code == 422
    assert "different body" in r.json["description"]
    assert [t.text for t in Tweet.select()] == ["one"]
    assert len(queued_job_ids(redis_client)) == 1


def test_other_keys_and_no_key_each_create_a_tweet(client, alice):
    _, token = alice
    for headers in (keyed(token, "a"), keyed(token, "b"), bearer(token), bearer(token)):
        r = client.simulate_post("/api/tweets", json={"text": "same"}, headers=headers)
        assert r.status_code == 202
    assert Tweet.select().count() == 4


def test_keys_are_per_caller(client, alice, bob):
    for _, token in (alice, bob):
        r = client.simulate_post("/api/tweets", json={"text": "x"}, headers=keyed(token, "k"))
        assert r.status_code == 202
        assert "Idempotent-Replayed" not in r.headers
    assert Tweet.select().count() == 2


def test_a_refused_request_remembers_nothing(client, alice):
    _, token = alice
    r = client.simulate_post("/api/tweets", json={"text": "x" * 281}, headers=keyed(token, "k3"))
    assert r.status_code == 422
    assert IdempotencyKey.select().count() == 0
    r = client.simulate_post("/api/tweets", json={"text": "fits"}, headers=keyed(token, "k3"))
    assert r.status_code == 202
    assert Tweet.select().count() == 1


def test_a_replay_answers_even_when_the_limit_would_now_refuse(client_with, alice):
    """A retry of an accepted request is answered as before, not held to the checks a
    new request would meet (here the pending limit the first one filled)."""
    _, token = alice
    client = client_with(MAX_PENDING_TWEETS="1")
    first = client.simulate_post("/api/tweets", json={"text": "a"}, headers=keyed(token, "k4"))
    assert first.status_code == 202
    other = client.simulate_post("/api/tweets", json={"text": "b"}, headers=keyed(token, "k6"))
    assert other.status_code == 429
    again = client.simulate_post("/api/tweets", json={"text": "a"}, headers=keyed(token, "k4"))
    assert again.status_code == 202
    assert again.json == first.json
    assert Tweet.select().count() == 1


def test_a_key_older_than_a_day_names_a_new_request(client, alice):
    _, token = alice
    client.simulate_post("/api/tweets", json={"text": "old"}, headers=keyed(token, "k5"))
    IdempotencyKey.update(
        created_at=to_db(utcnow() - IDEMPOTENCY_KEY_LIFETIME - timedelta(seconds=1))
    ).execute()
    r = client.simulate_post("/api/tweets", json={"text": "new"}, headers=keyed(token, "k5"))
    assert r.status_code == 202
    assert "Idempotent-Replayed" not in r.headers
    assert Tweet.select().count() == 2
    assert IdempotencyKey.select().count() == 1


def test_cleanup_deletes_keys_older_than_a_day(client, alice):
    _, token = alice
    for key in ("old", "new"):
        client.simulate_post("/api/tweets", json={"text": key}, headers=keyed(token, key))
    IdempotencyKey.update(
        created_at=to_db(utcnow() - IDEMPOTENCY_KEY_LIFETIME - timedelta(minutes=1))
    ).where(IdempotencyKey.key == "old").execute()
    assert cleanup()["idempotency_keys"] == 1
    assert [k.key for k in IdempotencyKey.select()] == ["new"]


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "two words"])
def test_a_bad_key_is_422_and_writes_nothing(client, alice, key):
    _, token = alice
    headers = keyed(token, key)
    r = client.simulate_post("/api/tweets", json={"text": "hi"}, headers=headers)
    assert r.status_code == 422
    assert "Idempotency-Key" in r.json["description"]
    assert Tweet.select().count() == 0


def test_thoughts_take_a_key_too(client, alice):
    _, token = alice
    body = {"email": "friend@example.com", "thought": "hello"}
    first = client.simulate_post("/api/thoughts", json=body, headers=keyed(token, "t1"))
    again = client.simulate_post("/api/thoughts", json=body, headers=keyed(token, "t1"))
    assert first.status_code == again.status_code == 202
    assert again.json == first.json
    assert Mail.select().count() == 1
    other = client.simulate_post(
        "/api/thoughts", json={**body, "thought": "other"}, headers=keyed(token, "t1")
    )
    assert other.status_code == 422


def test_the_header_is_documented_in_openapi(client):
    doc = client.simulate_get("/openapi.json").json
    for path in ("/api/tweets", "/api/thoughts"):
        params = doc["paths"][path]["post"]["parameters"]
        assert [p["name"] for p in params if p["in"] == "header"] == ["Idempotency-Key"]
