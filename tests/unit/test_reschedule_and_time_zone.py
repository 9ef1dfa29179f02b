"""Rescheduling a tweet and the account's time zone through the API (in-process, real
Redis and SQLite)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.web_api import QUEUE_KEY, bearer, queued_job_ids
from tweetnow.shared.models import Tweet, User


def at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def schedule(client, token: str, delta: timedelta) -> dict:
    r = client.simulate_post(
        "/api/tweets", json={"text": "later", "send_at": at(delta)}, headers=bearer(token)
    )
    assert r.status_code == 202, r.text
    return r.json


def test_a_far_tweet_moved_near_gets_a_new_job_sent_and_the_old_one_canceled(
    client, alice, redis_client
):
    _, token = alice
    accepted = schedule(client, token, timedelta(days=2))
    old_job = accepted["job"]["id"]
    r = client.simulate_patch(
        f"/api/tweets/{accepted['tweet']['id']}",
        json={"send_at": at(timedelta(seconds=5))},
        headers=bearer(token),
    )
    assert r.status_code == 200, r.text
    assert r.json["status"] == "scheduled"
    assert r.json["job_id"] != old_job
    tweet = Tweet.get_by_id(accepted["tweet"]["id"])
    assert tweet.job_id == r.json["job_id"] and tweet.dispatched_at is not None
    # The new job is a message delayed to the new time; the old one never had a message.
    delayed = [json.loads(m)["message_id"] for m in redis_client.hvals(f"{QUEUE_KEY}.DQ.msgs")]
    assert delayed == [r.json["job_id"]]
    old = client.simulate_get(f"/api/jobs/{old_job}", headers=bearer(token)).json
    assert old["status"] == "canceled"


def test_a_near_tweet_moved_far_waits_for_the_dispatcher(client, alice, redis_client):
    _, token = alice
    accepted = schedule(client, token, timedelta(seconds=30))
    later = at(timedelta(days=3))
    r = client.simulate_patch(
        f"/api/tweets/{accepted['tweet']['id']}", json={"send_at": later}, headers=bearer(token)
    )
    assert r.status_code == 200, r.text
    tweet = Tweet.get_by_id(accepted["tweet"]["id"])
    assert tweet.dispatched_at is None
    assert abs(tweet.send_at.replace(tzinfo=UTC) - datetime.fromisoformat(later)) < timedelta(
        seconds=1
    )
    assert queued_job_ids(redis_client) == []
    job = client.simulate_get(f"/api/jobs/{r.json['job_id']}", headers=bearer(token)).json
    assert job["status"] == "scheduled"


def test_only_a_scheduled_tweet_of_ones_own_can_be_rescheduled(client, alice, bob):
    _, token = alice
    accepted = schedule(client, token, timedelta(hours=1))
    tweet_id = accepted["tweet"]["id"]
    body = {"send_at": at(timedelta(hours=2))}
    assert (
        client.simulate_patch(
            f"/api/tweets/{tweet_id}", json=body, headers=bearer(bob[1])
        ).status_code
        == 404
    )
    bad = client.simulate_patch(
        f"/api/tweets/{tweet_id}", json={"send_at": at(timedelta(days=400))}, headers=bearer(token)
    )
    assert bad.status_code == 422
    assert "more than a year ahead" in bad.json["description"]
    client.simulate_delete(f"/api/tweets/{tweet_id}", headers=bearer(token))
    late = client.simulate_patch(f"/api/tweets/{tweet_id}", json=body, headers=bearer(token))
    assert late.status_code == 409
    assert "The tweet is canceled" in late.json["description"]
    assert Tweet.get_by_id(tweet_id).job_id == accepted["job"]["id"]


def test_the_time_zone_is_an_iana_name(client, alice):
    user, token = alice
    r = client.simulate_patch("/api/me", json={"time_zone": "Europe/Paris"}, headers=bearer(token))
    assert r.status_code == 200, r.text
    assert r.json["time_zone"] == "Europe/Paris"
    assert User.get_by_id(user.id).time_zone == "Europe/Paris"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "+02:00", "", "../../etc/passwd"])
def test_an_unknown_time_zone_is_422_and_changes_nothing(client, alice, zone):
    user, token = alice
    r = client.simulate_patch(
        "/api/me", json={"time_zone": zone, "email": "a@example.com"}, headers=bearer(token)
    )
    assert r.status_code == 422
    assert "time zone" in r.json["description"]
    saved = User.get_by_id(user.id)
    assert (saved.time_zone, saved.email) == (None, None)
