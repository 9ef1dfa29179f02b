"""Time: scheduled tweets go out on time, canceled ones never, two schedulers post
each once, and a tweet accepted while Redis is down goes out once it is back."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.processes import wait_until
from tests.support.stack import Stack


def at(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def test_a_tweet_scheduled_5_s_ahead_is_sent_within_seconds_of_its_time(stack: Stack):
    alice = stack.sign_in()
    send_at = at(5)
    text = f"on time {uuid.uuid4().hex[:8]}"
    r = alice.post_tweet(text, send_at=send_at.isoformat())
    assert r.status_code == 202, r.text
    assert (r.json()["tweet"]["status"], r.json()["job"]["status"]) == ("scheduled", "scheduled")
    job = alice.wait_job(r.json()["job"]["id"], timeout=30)
    assert job["status"] == "succeeded"
    (posted,) = stack.sandbox_tweets(alice.username)
    lateness = ts(posted["created_at"]) - send_at.timestamp()
    # Never early; late only by the time posting takes (seconds, even on a loaded
    # machine), never by a wait for the dispatcher's next minute.
    assert 0 <= lateness < 10, lateness


def test_a_tweet_canceled_before_its_time_never_reaches_x(stack: Stack):
    bob = stack.sign_in()
    r = bob.post_tweet(f"never {uuid.uuid4().hex[:8]}", send_at=at(3).isoformat())
    tweet_id = r.json()["tweet"]["id"]
    canceled = bob.api().delete(bob.url(f"/api/tweets/{tweet_id}"), timeout=10)
    assert canceled.status_code == 200
    assert canceled.json()["status"] == "canceled"
    time.sleep(5)
    assert stack.sandbox_tweets(bob.username) == []
    assert bob.tweet(tweet_id)["status"] == "canceled"
    assert bob.job(r.json()["job"]["id"])["status"] == "canceled"


@pytest.fixture(scope="module")
def two_schedulers(local):
    procs = [local.start_scheduler(), local.start_scheduler()]
    yield local
    for proc in procs:
        proc.stop()
        local.schedulers.remove(proc)


@pytest.mark.timeout(240)
def test_two_schedulers_post_each_of_20_scheduled_tweets_once(stack: Stack, two_schedulers):
    carol = stack.sign_in()
    texts = []
    for i in range(20):
        text = f"dispatched {i} {uuid.uuid4().hex[:6]}"
        r = carol.post_tweet(text, send_at=at(15 + i).isoformat())
        assert r.status_code == 202
        assert carol.tweet(r.json()["tweet"]["id"])["status"] == "scheduled"
        texts.append(text)

    def all_posted() -> bool:
        return len(stack.sandbox_tweets(carol.username)) >= 20

    # The dispatcher ticks every minute; the last tweet is due 34 s from now.
    wait_until(all_posted, timeout=130, what="20 scheduled tweets", every=1)
    time.sleep(3)  # a duplicate would show up now
    counts = Counter(t["text"] for t in stack.sandbox_tweets(carol.username))
    assert counts == Counter(texts)

    def a_tick_was_dropped() -> bool:
        logs = "".join(p.log_text() for p in two_schedulers.tweeters)
        return "periodic_tick_duplicate" in logs

    # The second scheduler's ticks do nothing. A tick both schedulers sent may not have
    # come yet (one started just after a minute began): the next one comes within a minute.
    wait_until(a_tick_was_dropped, timeout=75, what="a tick sent twice, run once", every=1)


@pytest.mark.timeout(240)
def test_accepted_while_redis_is_down_then_sent_when_it_is_back(stack: Stack, two_schedulers):
    dave = stack.sign_in()
    dave.create_token()
    two_schedulers.redis.process.stop()
    try:
        text = f"outbox {uuid.uuid4().hex[:8]}"
        r = dave.post_tweet(text)
        assert r.status_code == 202, r.text
        assert dave.job(r.json()["job"]["id"])["status"] == "queued"
    finally:
        two_schedulers.redis.process.start()
        two_schedulers.redis.wait_ready()
    job = dave.wait_job(r.json()["job"]["id"], timeout=150)
    assert job["status"] == "succeeded"
    assert [t["text"] for t in stack.sandbox_tweets(dave.username)] == [text]
