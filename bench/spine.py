"""Benchmarks of the tweet path, on this machine, with real processes on loopback.

  accept   POST /api/tweets under a small load: requests/s, p50 and p99 latency
  idle     time from POST to the tweet being on "X" (the sandbox) for a worker at
           rest, with the project's poll timeout and with Dramatiq's default
  cost     Redis commands per second an idle tweeter costs, for both timeouts

Run with `make bench`; prints a table and writes bench/results/spine.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import redis
import requests

from tests.support.processes import Process, RedisServer, console_script, free_port
from tests.support.stack import Stack

RESULTS = Path(__file__).parent / "results"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def start_stack(workdir: Path) -> tuple[dict[str, str], RedisServer, list[Process]]:
    server = RedisServer.start(workdir)
    web_port, sandbox_port = free_port(), free_port()
    env = {
        "REDIS_URL": server.url,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "SECRET_KEY": "bench",
        "WEB_PORT": str(web_port),
        "WEB_CONCURRENCY": "2",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
        "X_API_BASE_URL": f"http://127.0.0.1:{sandbox_port}",
        "X_SANDBOX_PORT": str(sandbox_port),
        "X_SANDBOX_PUBLIC_URL": f"http://127.0.0.1:{sandbox_port}",
    }
    subprocess.run([console_script("tweetnow-migrate")], env={**os.environ, **env}, check=True)
    sandbox = Process("sandbox", [console_script("x-sandbox")], env, workdir / "sandbox.log")
    web = Process("web", [console_script("tweetnow-web")], env, workdir / "web.log")
    sandbox.start().wait_for_http(env["X_SANDBOX_PUBLIC_URL"] + "/_sandbox/health")
    web.start().wait_for_http(env["PUBLIC_BASE_URL"] + "/healthz")
    return env, server, [web, sandbox]


def start_tweeter(env: dict[str, str], workdir: Path, poll_ms: int) -> Process:
    proc = Process(
        f"tweeter-{poll_ms}",
        [console_script("tweetnow-tweeter")],
        # Dramatiq's polling consumer (bench.pickup compares it with the wake-up one).
        {**env, "WORKER_TIMEOUT_MS": str(poll_ms), "WORKER_WAKEUP": "0"},
        workdir / f"tweeter-{poll_ms}.log",
    ).start()
    proc.wait_for_log("Worker process is ready for action", timeout=30)
    return proc


def bench_accept(stack: Stack, total: int = 1000, concurrency: int = 8) -> dict[str, float]:
    person = stack.sign_in(f"accept{uuid.uuid4().hex[:6]}")
    headers = {"Authorization": f"Bearer {person.create_token()}"}
    url = person.url("/api/tweets")
    sessions = [requests.Session() for _ in range(concurrency)]
    run = uuid.uuid4().hex[:6]

    def one(i: int) -> float:
        s = sessions[i % concurrency]
        t0 = time.perf_counter()
        r = s.post(url, json={"text": f"accept {run} {i}"}, headers=headers, timeout=10)
        elapsed = time.perf_counter() - t0
        assert r.status_code == 202, r.text
        return elapsed * 1000

    for i in range(50):  # warm up connections and code paths
        one(total + i)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(one, range(total)))
    wall = time.perf_counter() - t0
    return {
        "requests": total,
        "concurrency": concurrency,
        "rps": round(total / wall, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }


def bench_idle_done(stack: Stack, samples: int, pause_s: float) -> dict[str, float]:
    """POST, then wait for the tweet in the sandbox; the worker is idle before each."""
    person = stack.sign_in(f"idle{uuid.uuid4().hex[:8]}")
    api = person.api()
    durations = []
    for i in range(samples):
        time.sleep(pause_s)  # let the consumer's poll back off to its idle cap
        text = f"idle {uuid.uuid4().hex[:8]} {i}"
        t0 = time.time()
        r = api.post(person.url("/api/tweets"), json={"text": text}, timeout=10)
        assert r.status_code == 202
        while True:
            found = [t for t in stack.sandbox_tweets(person.username) if t["text"] == text]
            if found:
                created = datetime.fromisoformat(found[0]["created_at"].replace("Z", "+00:00"))
                durations.append((created.timestamp() - t0) * 1000)
                break
            time.sleep(0.002)
    return {
        "samples": samples,
        "p50_ms": round(statistics.median(durations), 1),
        "p90_ms": round(percentile(durations, 90), 1),
        "max_ms": round(max(durations), 1),
    }


def bench_idle_cost(redis_url: str, seconds: float = 5.0) -> float:
    """Redis commands per second while nothing is sent (one tweeter process at rest)."""
    client = redis.Redis.from_url(redis_url)
    time.sleep(2)
    before = client.info("stats")["total_commands_processed"]
    time.sleep(seconds)
    after = client.info("stats")["total_commands_processed"]
    return round((after - before - 2) / seconds, 1)  # minus our own INFO calls


def main() -> None:
    samples = int(os.environ.get("BENCH_IDLE_SAMPLES", "30"))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env, server, procs = start_stack(workdir)
        stack = Stack(web_url=env["PUBLIC_BASE_URL"], sandbox_url=env["X_SANDBOX_PUBLIC_URL"])
        results: dict[str, object] = {}
        try:
            results["accept"] = bench_accept(stack)
            for poll_ms in (20, 1000):
                # The accept run left a backlog no worker should take: drop it first.
                redis.Redis.from_url(server.url).delete("dramatiq:tweets", "dramatiq:tweets.msgs")
                tweeter = start_tweeter(env, workdir, poll_ms)
                try:
                    results[f"idle_cost_poll_{poll_ms}ms"] = {
                        "redis_commands_per_s": bench_idle_cost(server.url)
                    }
                    results[f"idle_done_poll_{poll_ms}ms"] = bench_idle_done(
                        stack, samples, pause_s=1.5 if poll_ms == 1000 else 0.3
                    )
                finally:
                    tweeter.stop()
        finally:
            for p in procs:
                p.stop()
            server.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "spine.json").write_text(json.dumps(results, indent=2) + "\n")
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
