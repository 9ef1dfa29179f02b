"""The operator's controls against real tweeter processes, through the admin's own actions:
a paused queue keeps new tweets queued while the running one finishes, stays paused
across a worker restart, and runs them on resume; a quiet process takes nothing new
while another takes the work. The worker metrics show both."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis
import requests

from tests.support.local_stack import ADMIN_X_USERNAME, LocalStack
from tests.support.processes import wait_until
from tests.support.stack import Person, Stack

#: How long every worker is given to see a change of the controls (they read them once a
#: second), and how long a message that should stay queued is watched.
SETTLE_S = 3.0
#: How long X takes to answer each post: long enough to see a tweet running.
X_LATENCY_MS = 2000


def post(person: Person, label: str) -> tuple[int, str]:
    body = person.post_tweet(f"{label} {uuid.uuid4().hex[:8]}").json()
    return body["tweet"]["id"], body["job"]["id"]


def act(admin: Person, path: str) -> None:
    r = admin.session.post(admin.url(path), headers={"X-CSRF-Token": admin.csrf}, timeout=10)
    assert r.status_code == 200, (path, r.status_code)  # after the 303 back to the page


def metric(url: str, name: str, **labels: str) -> float | None:
    """The sample's value; None while the worker's metrics process is not serving yet."""
    try:
        text = requests.get(url, timeout=10).text
    except requests.ConnectionError:
        return None
    wanted = name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
    for line in text.splitlines():
        if line.startswith(wanted + " "):
            return float(line.split()[-1])
    return None


def alive_workers(r: redis.Redis) -> set[str]:
    return {n.decode() for n in r.zrangebyscore("tweetnow:workers", time.time() - 30, "+inf")}


@pytest.fixture
def redis_of_stack(local: LocalStack) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(local.redis.url)
    yield client
    client.close()


@pytest.fixture
def admin(stack: Stack, redis_of_stack: redis.Redis) -> Iterator[Person]:
    person = stack.sign_in(ADMIN_X_USERNAME)
    yield person
    # Whatever happened, the queue is not left paused for the tests that follow.
    redis_of_stack.srem("tweetnow:paused_queues", "tweets")


def test_a_paused_queue_finishes_what_runs_keeps_the_rest_through_a_restart_and_resumes(
    stack: Stack, local: LocalStack, admin: Person, redis_of_stack: redis.Redis
):
    author = stack.sign_in()
    stack.set_faults(latency_ms=X_LATENCY_MS)
    running_tweet, running_job = post(author, "running at the pause")
    wait_until(
        lambda: author.tweet(running_tweet)["status"] == "sending", timeout=20, what="sending"
    )

    act(admin, "/admin/queues/tweets/pause")
    time.sleep(SETTLE_S)
    waiting = [post(author, "sent while paused") for _ in range(3)]
    assert author.wait_job(running_job, timeout=30)["status"] == "succeeded"
    tweeter = next(p for p in local.tweeters if p.alive())
    url = f"http://127.0.0.1:{tweeter.env['METRICS_PORT']}/metrics"
    assert metric(url, "tweetnow_queue_paused", queue="tweets") == 1
    assert metric(url, "tweetnow_queue_paused", queue="periodic") == 0

    # A restart: a new tweeter process comes up, the old one is stopped.
    replacement = local.start_tweeter()
    tweeter.shut_down()
    time.sleep(SETTLE_S)
    for tweet_id, job_id in waiting:
        assert author.job(job_id)["status"] == "queued"
        assert author.tweet(tweet_id)["status"] == "queued"
    assert redis_of_stack.llen("dramatiq:tweets") >= len(waiting)
    assert replacement.alive()

    act(admin, "/admin/queues/tweets/resume")
    for _, job_id in waiting:
        assert author.wait_job(job_id, timeout=60)["status"] == "succeeded"
    assert metric(url.replace(tweeter.env["METRICS_PORT"], replacement.env["METRICS_PORT"]),
                  "tweetnow_queue_paused", queue="tweets") == 0  # fmt: skip
    actions = [a for a in redis_of_stack.lrange("tweetnow:operator_actions", 0, 1)]
    assert b'"resume"' in actions[0] and b'"pause"' in actions[1]
    assert ADMIN_X_USERNAME.encode() in actions[0]


def test_a_quiet_process_takes_nothing_new_and_another_takes_the_work(
    stack: Stack, local: LocalStack, admin: Person, redis_of_stack: redis.Redis
):
    before = alive_workers(redis_of_stack)
    quiet = local.start_tweeter()
    try:
        wait_until(
            lambda: len(alive_workers(redis_of_stack) - before) == 1,
            timeout=30,
            what="the new tweeter's worker record",
        )
        (name,) = alive_workers(redis_of_stack) - before
        act(admin, f"/admin/workers/{name}/quiet")
        url = f"http://127.0.0.1:{quiet.env['METRICS_PORT']}/metrics"
        wait_until(
            lambda: metric(url, "tweetnow_worker_quiet", worker=name) == 1,
            timeout=30,
            what="the quiet gauge",
        )
        time.sleep(SETTLE_S)

        author = stack.sign_in()
        jobs = [post(author, "while one is quiet")[1] for _ in range(6)]
        for job_id in jobs:
            assert author.wait_job(job_id, timeout=60)["status"] == "succeeded"
        ran_on = {redis_of_stack.hget(f"tweetnow:job:{j}", "worker") for j in jobs}
        assert name.encode() not in ran_on and ran_on, ran_on
        assert quiet.alive()  # quiet is not stopped: it is still there, taking nothing
        quiet.shut_down()
        # The flag ended with the process.
        assert not redis_of_stack.exists(f"tweetnow:workers:{name}:quiet")
    finally:
        quiet.stop()
        local.tweeters.remove(quiet)
