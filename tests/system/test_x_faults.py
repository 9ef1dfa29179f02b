"""The tweet path through X's failures: rate limits, outages, refusals, a killed worker."""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime

import redis

from tests.support.processes import wait_until
from tests.support.stack import Stack


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def test_429_waits_for_the_reset_then_posts_once(stack: Stack):
    alice = stack.sign_in()
    stack.set_faults(next_errors=[429])
    text = unique("rate limited")
    sent_at = time.time()
    r = alice.post_tweet(text)
    job = alice.wait_job(r.json()["job"]["id"], timeout=30)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2
    posted = stack.sandbox_tweets(alice.username)
    assert [t["text"] for t in posted] == [text]
    # The sandbox's reset is 2 s ahead: the retry must not come before it.
    assert ts(posted[0]["created_at"]) - sent_at >= 1.0


def test_503_twice_then_success(stack: Stack):
    bob = stack.sign_in()
    stack.set_faults(next_errors=[503, 503])
    text = unique("flaky X")
    job = bob.wait_job(bob.post_tweet(text).json()["job"]["id"], timeout=30)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 3
    assert [t["text"] for t in stack.sandbox_tweets(bob.username)] == [text]


def test_duplicate_content_fails_at_once_with_the_reason(stack: Stack):
    carol = stack.sign_in()
    text = unique("said twice")
    first = carol.wait_job(carol.post_tweet(text).json()["job"]["id"])
    assert first["status"] == "succeeded"
    r = carol.post_tweet(text)
    job = carol.wait_job(r.json()["job"]["id"])
    assert job["status"] == "failed"
    assert job["attempts"] == 1  # never retried
    tweet = carol.tweet(r.json()["tweet"]["id"])
    assert tweet["status"] == "failed"
    assert "duplicate" in tweet["error"]
    assert len(stack.sandbox_tweets(carol.username)) == 1


def test_revoked_access_holds_the_tweet_and_says_to_reconnect(stack: Stack):
    dave = stack.sign_in()
    dave.create_token()
    stack.revoke_x_user(dave.username)
    r = dave.post_tweet(unique("revoked"))
    job = dave.wait_job(r.json()["job"]["id"])
    assert (job["status"], job["attempts"]) == ("succeeded", 1)
    tweet = dave.tweet(r.json()["tweet"]["id"])
    assert tweet["status"] == "held"
    assert tweet["error"] == f"waiting until @{dave.username} is reconnected"
    (account,) = dave.accounts()
    assert account["status"] == "reconnect_needed"
    assert "sign in with X as" in account["status_reason"]


def test_outage_longer_than_the_retries_ends_failed_with_the_reason(stack: Stack):
    erin = stack.sign_in()
    stack.set_faults(next_errors=[503] * 20)
    r = erin.post_tweet(unique("never"))
    job = erin.wait_job(r.json()["job"]["id"], timeout=60)
    assert job["status"] == "failed"
    tweet = erin.tweet(r.json()["tweet"]["id"])
    assert tweet["status"] == "failed"
    assert tweet["error"].startswith("gave up after")
    assert stack.sandbox_tweets(erin.username) == []


def test_worker_killed_while_posting_posts_exactly_once(stack: Stack, local):
    frank = stack.sign_in()
    frank.create_token()
    stack.set_faults(latency_ms=1500)
    text = unique("survives SIGKILL")
    r = frank.post_tweet(text)
    job_id = r.json()["job"]["id"]
    tweet_id = r.json()["tweet"]["id"]
    wait_until(lambda: frank.tweet(tweet_id)["status"] == "sending", timeout=10, what="sending")
    # The tweeter whose worker process holds the job (its record names host:pid, once
    # its "running" write has left: start_writes.HOLD_S after the attempt began).
    jobs = redis.Redis.from_url(local.redis.url)
    wait_until(
        lambda: jobs.hget(f"tweetnow:job:{job_id}", "worker"),
        timeout=5,
        what="the running job to name its worker",
    )
    worker = jobs.hget(f"tweetnow:job:{job_id}", "worker")
    assert worker, "the running job names no worker"
    pgid = os.getpgid(int(worker.decode().rsplit(":", 1)[1]))
    (victim,) = [t for t in local.tweeters if t.pid == pgid]
    victim.kill()  # SIGKILL the worker's whole process group mid-request
    victim.popen.wait(5)
    local.start_tweeter()
    job = frank.wait_job(job_id, timeout=60)
    assert job["status"] == "succeeded", job
    assert job["attempts"] >= 2
    assert [t["text"] for t in stack.sandbox_tweets(frank.username)] == [text]
    assert frank.tweet(tweet_id)["status"] == "sent"
