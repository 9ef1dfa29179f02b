"""MAX_PENDING_TWEETS in-process: the tweet over the limit gets 429 and nothing is written;
sent and canceled tweets do not count, and a retry counts like a new tweet.

The same limits under simultaneous requests to a real gunicorn are in
tests/system/test_fair_use.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import falcon.testing
import pytest
import redis

from tests.support.web_api import QUEUE_KEY, bearer
from tweetnow.shared.models import Tweet, TweetStatus


@pytest.fixture
def limited_client(
    client_with: Callable[..., falcon.testing.TestClient],
) -> falcon.testing.TestClient:
    return client_with(MAX_PENDING_TWEETS="3")


def post(client: falcon.testing.TestClient, token: str, text: str, **extra: object):
    return client.simulate_post("/api/tweets", json={"text": text, **extra}, headers=bearer(token))


def later(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def test_the_tweet_over_the_pending_limit_gets_429_and_nothing_is_written(
    limited_client, alice, bob, redis_client: redis.Redis
):
    user, token = alice
    assert post(limited_client, token, "now").status_code == 202
    assert post(limited_client, token, "later", send_at=later(2)).status_code == 202
    assert post(limited_client, token, "much later", send_at=later(20)).status_code == 202
    queued = redis_client.llen(QUEUE_KEY)

    r = post(limited_client, token, "one too many")
    assert r.status_code == 429, r.text
    assert r.json["title"] == "Too many pending tweets"
    assert "You have 3 tweets queued or scheduled; the limit is 3." in r.json["description"]
    assert "Retry-After" not in r.headers
    assert Tweet.select().where(Tweet.user == user).count() == 3
    assert redis_client.llen(QUEUE_KEY) == queued
    # The limit is each person's own.
    assert post(limited_client, bob[1], "bob has room").status_code == 202


def test_sent_and_canceled_tweets_make_room_and_a_retry_counts_again(limited_client, alice):
    _, token = alice
    ids = [
        post(limited_client, token, f"t{i}", send_at=later(2)).json["tweet"]["id"] for i in range(3)
    ]
    assert post(limited_client, token, "full").status_code == 429

    Tweet.update(status=TweetStatus.SENT).where(Tweet.id == ids[0]).execute()
    canceled = limited_client.simulate_delete(f"/api/tweets/{ids[1]}", headers=bearer(token))
    assert canceled.status_code == 200
    Tweet.update(status=TweetStatus.FAILED).where(Tweet.id == ids[2]).execute()
    assert post(limited_client, token, "room again").status_code == 202
    assert post(limited_client, token, "and again").status_code == 202
    assert post(limited_client, token, "one more").status_code == 202

    # Three pending: the failed tweet cannot come back until one goes.
    retry = limited_client.simulate_post(f"/api/tweets/{ids[2]}/retry", headers=bearer(token))
    assert retry.status_code == 429, retry.text
    assert Tweet.get_by_id(ids[2]).status == TweetStatus.FAILED
