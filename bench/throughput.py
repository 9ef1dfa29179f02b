"""Throughput: tweets/s through 1 and 3 tweeter processes, with the sandbox answering
at once and after 300 ms (X is slow; workers wait on it). Memory under load too.

The tweets are posted while no tweeter runs, then their queue is hidden (RENAME)
until the tweeters are ready, so the rate counts posting to X, not start-up:
from releasing the queue to the last tweet's created_at in the sandbox. Each
tweeter gets the same number of tweets (three tweeters three times as many as
one), so both runs last about as long: the first and the last round of posts,
when not every thread is busy, weigh the same in both rates.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypedDict

import redis

from bench.machine import group_rss_mb
from tests.support.processes import Process, console_script
from tests.support.stack import Stack

QUEUE_KEY = "dramatiq:tweets"


class TweeterRun(TypedDict):
    tweets: int
    tweets_per_s: float
    #: The largest tweeter's RSS a second into the run (None: not sampled in time).
    rss_mb_per_tweeter_under_load: float | None


def start_tweeter(env: dict[str, str], workdir: Path, name: str) -> Process:
    proc = Process(name, [console_script("tweetnow-tweeter")], env, workdir / f"{name}.log")
    proc.start().wait_for_log("Worker process is ready for action", timeout=60)
    return proc


def one_run(
    stack: Stack, env: dict[str, str], workdir: Path, processes: int, latency_ms: int, n: int
) -> TweeterRun:
    client = redis.Redis.from_url(env["REDIS_URL"])
    client.delete(QUEUE_KEY)
    stack.set_faults(latency_ms=latency_ms)
    person = stack.sign_in(f"tput{uuid.uuid4().hex[:8]}")
    api = person.api()
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda i: api.post(person.url("/api/tweets"), json={"text": f"t {i}"}, timeout=10),
                range(n),
            )
        )
    client.rename(QUEUE_KEY, "bench:held")
    tweeters = [
        start_tweeter(env, workdir, f"tput-{processes}-{latency_ms}-{i}") for i in range(processes)
    ]
    rss: list[float] = []

    def sample_rss() -> None:
        time.sleep(1)
        rss.extend(group_rss_mb(t.pid) for t in tweeters)

    try:
        t0 = time.time()
        client.rename("bench:held", QUEUE_KEY)
        for _ in range(processes):
            client.lpush(f"{QUEUE_KEY}.wake", 1)
        sampler = threading.Thread(target=sample_rss, daemon=True)
        sampler.start()
        while len(posted := stack.sandbox_tweets(person.username)) < n:
            time.sleep(0.2)
        last = max(
            datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")).timestamp()
            for t in posted
        )
        sampler.join(5)
    finally:
        for t in tweeters:
            t.stop()
        stack.clear_faults()
    return TweeterRun(
        tweets=n,
        tweets_per_s=round(n / (last - t0), 1),
        rss_mb_per_tweeter_under_load=max(rss) if rss else None,
    )


def run(
    stack: Stack, env: dict[str, str], workdir: Path, n_fast: int, n_slow: int
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for latency_ms, n in ((0, n_fast), (300, n_slow)):
        one = one_run(stack, env, workdir, 1, latency_ms, n)
        three = one_run(stack, env, workdir, 3, latency_ms, 3 * n)
        results[f"sandbox_{latency_ms}ms"] = {
            "1_tweeter": one,
            "3_tweeters": three,
            "scaling": round(three["tweets_per_s"] / one["tweets_per_s"], 2),
        }
    return results
