"""Accept: how fast the web takes a tweet, beside a bare Falcon endpoint under the same
gunicorn settings and a raw Redis push from Python, at the same concurrency."""

from __future__ import annotations

import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
import requests

from bench.stats import latency_summary
from tests.support.processes import Process, free_port
from tests.support.stack import Stack


def http_load(url: str, headers: dict[str, str], total: int, concurrency: int) -> dict[str, float]:
    """POST a small JSON tweet ``total`` times from ``concurrency`` threads, keep-alive each."""
    local = threading.local()
    run = uuid.uuid4().hex[:6]

    def one(i: int) -> float:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        t0 = time.perf_counter()
        r = local.session.post(url, json={"text": f"accept {run} {i}"}, headers=headers, timeout=10)
        elapsed = time.perf_counter() - t0
        assert r.status_code == 202, r.text
        return elapsed * 1000

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(total, total + 100)))  # warm up
        t0 = time.perf_counter()
        latencies = list(pool.map(one, range(total)))
        wall = time.perf_counter() - t0
    return {"concurrency": concurrency, "rps": round(total / wall, 1), **latency_summary(latencies)}


def redis_push_load(redis_url: str, total: int, concurrency: int) -> dict[str, float]:
    """LPUSH of a 100-byte value from ``concurrency`` Python threads (one client each)."""
    value = b"x" * 100
    local = threading.local()

    def one(_: int) -> float:
        if not hasattr(local, "client"):
            local.client = redis.Redis.from_url(redis_url)
        t0 = time.perf_counter()
        local.client.lpush("bench:raw", value)
        return (time.perf_counter() - t0) * 1000

    with ThreadPoolExecutor(concurrency) as pool:
        t0 = time.perf_counter()
        latencies = list(pool.map(one, range(total)))
        wall = time.perf_counter() - t0
    redis.Redis.from_url(redis_url).delete("bench:raw")
    return {"concurrency": concurrency, "rps": round(total / wall, 1), **latency_summary(latencies)}


def bare_falcon(env: dict[str, str], workdir: Path) -> tuple[Process, str]:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:tweetnow.web.gunicorn_conf",
        "bench.bare_falcon:app",
    ]
    proc = Process("bare-falcon", argv, {**env, "WEB_PORT": str(port)}, workdir / "bare.log")
    url = f"http://127.0.0.1:{port}/api/tweets"
    proc.start()
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.post(url, json={"text": "up"}, timeout=1)
            return proc, url
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def run(
    stack: Stack, env: dict[str, str], workdir: Path, total: int, concurrency: int
) -> dict[str, object]:
    person = stack.sign_in(f"accept{uuid.uuid4().hex[:6]}")
    headers = {"Authorization": f"Bearer {person.create_token()}"}
    ours = http_load(person.url("/api/tweets"), headers, total, concurrency)
    proc, url = bare_falcon(env, workdir)
    try:
        bare = http_load(url, {}, total, concurrency)
    finally:
        proc.stop()
    raw = redis_push_load(env["REDIS_URL"], total * 10, concurrency)
    return {
        "tweetnow_post": ours,
        "bare_falcon_post": bare,
        "redis_lpush": raw,
        "ratio_to_bare_falcon": round(ours["rps"] / bare["rps"], 3),
        "ratio_to_redis_lpush": round(ours["rps"] / raw["rps"], 4),
    }
