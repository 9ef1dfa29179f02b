"""The JSON API in-process: every bad input gets its 4xx and leaves nothing behind."""

from __future__ import annotations

import json

import pytest
import redis

from tests.support.web_api import QUEUE_KEY, assert_nothing_written, bearer, queued_message_ids
from tweetnow.shared.models import Tweet
from tweetnow.web.domain import tweets as tweet_domain
from tweetnow.web.domain.tokens import TokenService


def test_accepted_tweet_has_its_row_and_its_message(client, alice, redis_client):
    _, token = alice
    r = client.simulate_post("/api/tweets", json={"text": "hello"}, headers=bearer(token))
    assert r.status_code == 202
    body = r.json
    job_id = body["job"]["id"]
    assert body["tweet"]["status"] == "queued"
    assert body["job"] == {"id": job_id, "status": "queued", "url": f"/api/jobs/{job_id}"}
    assert r.headers["Location"] == f"/api/jobs/{job_id}"
    tweet = Tweet.get_by_id(body["tweet"]["id"])
    assert tweet.job_id == job_id
    # The Redis id of the message differs from the Dramatiq message id: read the payload.
    (redis_id,) = queued_message_ids(redis_client)
    payload = json.loads(redis_client.hget(f"{QUEUE_KEY}.msgs", redis_id))
    assert payload["message_id"] == job_id
    assert payload["kwargs"] == {"tweet_id": tweet.id}
    assert payload["actor_name"] == "post_tweet"
    assert payload["options"]["request_id"] == r.headers["X-Request-ID"]
    job = client.simulate_get(f"/api/jobs/{job_id}", headers=bearer(token)).json
    assert job["status"] == "queued"
    assert job["attempts"] == 0


@pytest.mark.parametrize(
    ("kwargs", "status", "words"),
    [
        ({"body": '{"text": "hi"', "content_type": "application/json"}, 400, "Malformed JSON"),
        ({"body": "[1, 2]", "content_type": "application/json"}, 422, "JSON object"),
        ({"body": "", "content_type": "application/json"}, 400, "Send a JSON object"),
        ({"body": "text=hi", "content_type": "text/plain"}, 415, "Content-Type"),
        ({"json": {}}, 422, "Send `text` (one tweet) or `thread`"),
        ({"json": {"text": 5}}, 422, "Expected `str | null`"),
        ({"json": {"text": "hi", "extra": 1}}, 422, "unknown field `extra`"),
        ({"json": {"text": "   "}}, 422, "empty"),
        ({"json": {"text": "x" * 281}}, 422, "281 characters"),
        ({"json": {"text": "😀" * 141}}, 422, "282 characters"),
        ({"json": {"text": "x" * 3000}}, 413, "limit is 2048"),
    ],
)
def test_bad_tweet_bodies_are_refused_and_leave_nothing(
    client, alice, redis_client, kwargs, status, words
):
    _, token = alice
    r = client.simulate_post("/api/tweets", headers=bearer(token), **kwargs)
    assert r.status_code == status, r.text
    assert r.json["status"] == status
    assert words in r.json["description"]
    assert_nothing_written(redis_client)


def test_weighted_length_allows_280(client, alice):
    _, token = alice
    text = "https://example.com/" + "a" * 30 + " " + "b" * 256  # the URL counts 23
    r = client.simulate_post("/api/tweets", json={"text": text}, headers=bearer(token))
    assert r.status_code == 202, r.text


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({}, "Sign in with X"),
        ({"Authorization": "Bearer tn_unknown"}, "unknown or has been revoked"),
        ({"Authorization": "Basic abc"}, "Bearer <token>"),
    ],
)
def test_missing_or_bad_credentials_are_401(client, redis_client, db, headers, words):
    r = client.simulate_post("/api/tweets", json={"text": "hi"}, headers=headers)
    assert r.status_code == 401
    assert words in r.json["description"]
    assert_nothing_written(redis_client)


def test_revoked_token_is_refused(client, alice, redis_client):
    user, token = alice
    (row,) = list(user.api_tokens)
    TokenService().revoke(user, row.id)
    r = client.simulate_post("/api/tweets", json={"text": "hi"}, headers=bearer(token))
    assert r.status_code == 401
    assert_nothing_written(redis_client)


def test_someone_elses_tweet_and_job_are_404(client, alice, bob):
    _, alice_token = alice
    _, bob_token = bob
    r = client.simulate_post("/api/tweets", json={"text": "mine"}, headers=bearer(alice_token))
    tweet_id, job_id = r.json["tweet"]["id"], r.json["job"]["id"]
    assert (
        client.simulate_get(f"/api/tweets/{tweet_id}", headers=bearer(bob_token)).status_code == 404
    )
    assert client.simulate_get(f"/api/jobs/{job_id}", headers=bearer(bob_token)).status_code == 404
    assert (
        client.simulate_get(f"/api/tweets/{tweet_id}", headers=bearer(alice_token)).status_code
        == 200
    )
    assert (
        client.simulate_get("/api/jobs/no-such-job", headers=bearer(alice_token)).status_code == 404
    )


def test_listing_is_newest_first_and_paginated(client, alice, bob):
    _, token = alice
    for i in range(5):
        client.simulate_post("/api/tweets", json={"text": f"t{i}"}, headers=bearer(token))
    client.simulate_post("/api/tweets", json={"text": "bob's"}, headers=bearer(bob[1]))
    page = client.simulate_get("/api/tweets", params={"limit": 2}, headers=bearer(token)).json
    assert [t["text"] for t in page["data"]] == ["t4", "t3"]
    seen = [t["text"] for t in page["data"]]
    while page["next"]:
        page = client.simulate_get(page["next"], headers=bearer(token)).json
        seen += [t["text"] for t in page["data"]]
    assert seen == ["t4", "t3", "t2", "t1", "t0"]
    bad = client.simulate_get("/api/tweets", params={"limit": 0}, headers=bearer(token))
    assert bad.status_code == 400


def test_queue_down_still_accepts_and_keeps_the_row_for_the_sweeper(
    client, alice, deps, redis_client, monkeypatch
):
    _, token = alice

    def refuse(*args, **kwargs):
        raise redis.ConnectionError("connection refused")

    monkeypatch.setattr(deps.broker, "do_enqueue", refuse)
    r = client.simulate_post("/api/tweets", json={"text": "hi"}, headers=bearer(token))
    assert r.status_code == 202
    tweet = Tweet.get_by_id(r.json["tweet"]["id"])
    assert (tweet.status, tweet.job_id) == ("queued", r.json["job"]["id"])
    assert redis_client.llen(QUEUE_KEY) == 0
    # The job reads as queued from the row until the sweeper sends it.
    job = client.simulate_get(r.json["job"]["url"], headers=bearer(token)).json
    assert (job["id"], job["status"]) == (tweet.job_id, "queued")


def test_health_and_readiness(client, db):
    assert client.simulate_get("/healthz").json == {"status": "ok"}
    ready = client.simulate_get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"redis": "ok", "database": "ok"}


def test_request_id_is_echoed_or_made(client, db):
    r = client.simulate_get("/healthz", headers={"X-Request-ID": "req-12345678"})
    assert r.headers["X-Request-ID"] == "req-12345678"
    made = client.simulate_get("/healthz", headers={"X-Request-ID": "bad id!"})
    assert made.headers["X-Request-ID"] != "bad id!"
    assert len(made.headers["X-Request-ID"]) == 32


def test_ids_beyond_the_database_range_are_404_or_400_not_500(client, alice):
    _, token = alice
    huge = 2**63
    for path in (f"/api/tweets/{huge}", f"/api/mail/{huge}"):
        assert client.simulate_get(path, headers=bearer(token)).status_code == 404
    retry = client.simulate_post(f"/api/tweets/{huge}/retry", headers=bearer(token))
    assert retry.status_code == 404
    listing = client.simulate_get("/api/tweets", params={"before": huge}, headers=bearer(token))
    assert listing.status_code == 400


def test_a_locked_database_is_503_not_500(client, alice, monkeypatch):
    import peewee

    _, token = alice

    def locked(*args, **kwargs):
        raise peewee.OperationalError("database is locked")

    monkeypatch.setattr(tweet_domain, "add_pending_tweet", locked)
    r = client.simulate_post("/api/tweets", json={"text": "hi"}, headers=bearer(token))
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "5"
    assert "Database unavailable" in r.json["title"]


def test_a_connection_the_database_dropped_is_503_not_500(client, alice, monkeypatch):
    """PostgreSQL restarting under a request: the rollback of the broken connection fails
    with "connection already closed" (an InterfaceError), and nothing was written."""
    import peewee

    _, token = alice

    def dropped(*args, **kwargs):
        raise peewee.InterfaceError("connection already closed")

    monkeypatch.setattr(tweet_domain, "add_pending_tweet", dropped)
    r = client.simulate_post("/api/tweets", json={"text": "hi"}, headers=bearer(token))
    assert r.status_code == 503
    assert "Database unavailable" in r.json["title"]
    assert Tweet.select().count() == 0
