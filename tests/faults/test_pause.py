"""The whole stack paused and resumed, as a VM's pause or a laptop's suspend does it.

Every process (Redis, the sandbox, the web, two tweeters, the scheduler) is
SIGSTOPped for 35 s while 16 tweets are on their way to an X that takes 1.5 s
a post, then SIGCONTed. The posts in flight time out on resume and are retried;
after such a pause Redis may answer seconds after the workers (here: at once,
and 20 s later, longer than a Redis call's 5 s timeout). Every tweet must go
out within a minute of the stack resuming, once, and no job may read
``running`` once no worker runs it.

The stack runs with the product's defaults for timeouts, heartbeats, backoff
and the sweeper (``make dev``'s), not the fault suite's shortened ones: a
shorter heartbeat timeout would have the resumed workers take each other for
dead, which is another scenario (tests/faults/test_worker_kills.py).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fault_scenarios import (
    FINAL_TWEET_STATES,
    Outcome,
    Posted,
    people,
    post_tweets,
    tweet_outcome,
)
from tests.support.local_stack import LocalStack
from tests.support.processes import Process
from tests.support.stack import Stack

PAUSE_S = 35
SANDBOX_LATENCY_MS = 1500
TWEETS = 16
#: Every tweet must be sent within this of the stack resuming.
RESUMED_WITHIN_S = 60

#: The product's defaults (as ``make dev`` runs), instead of the fault suite's.
DEV_DEFAULTS: dict[str, str | None] = {
    name: None
    for name in (
        "TWEET_MIN_BACKOFF_MS",
        "TWEET_MAX_BACKOFF_MS",
        "X_TIMEOUT_S",
        "POST_LEASE_S",
        "HEARTBEAT_TIMEOUT_MS",
        "MAINTENANCE_CHANCE",
        "SWEEP_GRACE_S",
    )
}


@pytest.fixture
def paused_stack(tmp_path: Path) -> Iterator[tuple[LocalStack, Stack]]:
    local = LocalStack.start(tmp_path, DEV_DEFAULTS)
    try:
        local.start_tweeter()  # a second one, beside the stack's own
        local.start_scheduler()
        stack = Stack(
            web_url=local.env["PUBLIC_BASE_URL"], sandbox_url=local.env["X_SANDBOX_PUBLIC_URL"]
        )
        yield local, stack
    finally:
        local.stop()


def signal_all(processes: list[Process], sig: signal.Signals) -> None:
    for proc in processes:
        proc.kill(sig)


def wait_sent(posted: list[Posted], *, timeout: float) -> float | None:
    """Seconds until every accepted tweet's row is final, or None if not within ``timeout``."""
    start = time.monotonic()
    pending = list(posted)
    while pending and time.monotonic() - start < timeout:
        rows = {p.tweet_id: p.person.tweet(p.tweet_id) for p in pending}
        pending = [p for p in pending if rows[p.tweet_id]["status"] not in FINAL_TWEET_STATES]
        if pending:
            time.sleep(0.5)
    return None if pending else time.monotonic() - start


@pytest.mark.timeout(360)
@pytest.mark.parametrize("redis_late_s", [0, 20], ids=["all-at-once", "redis-20s-late"])
def test_a_paused_stack_sends_every_tweet_within_a_minute_of_resuming(
    paused_stack: tuple[LocalStack, Stack], redis_late_s: int
) -> None:
    local, stack = paused_stack
    stack.set_faults(latency_ms=SANDBOX_LATENCY_MS)
    name = f"stack paused {PAUSE_S} s, Redis back {redis_late_s} s after the rest"
    refused = Outcome(name)
    posted = post_tweets(people(stack, 2), TWEETS // 2, refused)
    assert len(posted) == TWEETS, refused
    time.sleep(0.5)  # the tweeters are posting: each post takes 1.5 s

    assert local.redis.process is not None
    redis = [local.redis.process]
    others = [local.sandbox, local.web, *local.tweeters, *local.schedulers]
    signal_all(redis + others, signal.SIGSTOP)
    time.sleep(PAUSE_S)
    signal_all(others, signal.SIGCONT)
    time.sleep(redis_late_s)
    signal_all(redis, signal.SIGCONT)

    took = wait_sent(posted, timeout=RESUMED_WITHIN_S)
    outcome = tweet_outcome(f"{name}: all final in {took or 0:.0f} s", stack, posted)
    assert took is not None, f"not every tweet was sent within {RESUMED_WITHIN_S} s: {outcome}"
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome
    assert outcome.sent == TWEETS, outcome
    # Each job ended, and says so: none reads running with no worker behind it.
    jobs = [p.person.job(p.person.tweet(p.tweet_id)["job_id"]) for p in posted]
    assert {job["status"] for job in jobs} == {"succeeded"}, jobs
