"""Scheduling and canceling through the API (in-process, real Redis and SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.web_api import QUEUE_KEY, assert_nothing_written, bearer
from tweetnow.shared.models import Tweet


def at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def test_a_far_tweet_is_scheduled_in_the_database_not_in_redis(client, alice, redis_client):
    _, token = alice
    r = client.simulate_post(
        "/api/tweets",
        json={"text": "later", "send_at": at(timedelta(days=2))},
        headers=bearer(token),
    )
    assert r.status_code == 202
    assert r.json["tweet"]["status"] == "scheduled"
    assert r.json["job"]["status"] == "scheduled"
    tweet = Tweet.get_by_id(r.json["tweet"]["id"])
    assert tweet.dispatched_at is None
    assert redis_client.llen(QUEUE_KEY) == 0
    assert redis_client.llen(f"{QUEUE_KEY}.DQ") == 0
    job = client.simulate_get(r.json["job"]["url"], headers=bearer(token)).json
    assert job["status"] == "scheduled"
    assert job["next_attempt_at"] is not None


def test_a_near_tweet_is_sent_at_once_with_its_delay(client, alice, redis_client):
    _, token = alice
    r = client.simulate_post(
        "/api/tweets",
        json={"text": "soon", "send_at": at(timedelta(seconds=30))},
        headers=bearer(token),
    )
    assert r.status_code == 202
    assert r.json["tweet"]["status"] == "scheduled"
    assert Tweet.get_by_id(r.json["tweet"]["id"]).dispatched_at is not None
    assert redis_client.llen(f"{QUEUE_KEY}.DQ") == 1  # a delayed message


@pytest.mark.parametrize(
    ("send_at", "words"),
    [
        (at(timedelta(minutes=-5)), "is in the past"),
        (at(timedelta(days=400)), "more than a year ahead"),
        ("2030-01-01T10:00:00", "needs a UTC offset"),
        ("next tuesday", "Invalid RFC3339"),
    ],
)
def test_bad_send_at_is_422_and_writes_nothing(client, alice, redis_client, send_at, words):
    _, token = alice
    r = client.simulate_post(
        "/api/tweets", json={"text": "x", "send_at": send_at}, headers=bearer(token)
    )
    assert r.status_code == 422
    assert words in r.json["description"]
    assert_nothing_written(redis_client)


def test_cancel_before_its_time_then_409_once_sent(client, alice, bob):
    _, token = alice
    r = client.simulate_post(
        "/api/tweets",
        json={"text": "maybe", "send_at": at(timedelta(hours=1))},
        headers=bearer(token),
    )
    tweet_id, job_url = r.json["tweet"]["id"], r.json["job"]["url"]
    assert (
        client.simulate_delete(f"/api/tweets/{tweet_id}", headers=bearer(bob[1])).status_code == 404
    )
    canceled = client.simulate_delete(f"/api/tweets/{tweet_id}", headers=bearer(token))
    assert canceled.status_code == 200
    assert canceled.json["status"] == "canceled"
    assert client.simulate_get(job_url, headers=bearer(token)).json["status"] == "canceled"
    again = client.simulate_delete(f"/api/tweets/{tweet_id}", headers=bearer(token))
    assert again.status_code == 200  # canceling twice is harmless
    Tweet.update(status="sent").where(Tweet.id == tweet_id).execute()
    late = client.simulate_delete(f"/api/tweets/{tweet_id}", headers=bearer(token))
    assert late.status_code == 409
    assert "already sent" in late.json["description"]
