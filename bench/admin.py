"""How fast the admin dashboard answers with 10,000 jobs in the system.

Seeds 10,000 tweet rows (every status, 50 users) and their jobs: job records
with attempts and per-minute counters, 3,000 messages ready in the tweets
queue, 2,000 delayed (half of them retries), 1,000 dead, 3 registered workers.
Then times each admin page in-process (falcon.testing: middleware, session,
Redis, SQLite and templates, without HTTP), BENCH_ADMIN_REQUESTS times each
(default 200) after a warm-up; prints p50/p99 in milliseconds and writes
bench/results/admin.json. Run with `python -m bench.admin`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import dramatiq
import falcon
import falcon.testing

from tests.support.processes import RedisServer, console_script
from tweetnow.shared.db import database, open_database
from tweetnow.shared.jobs import JobState
from tweetnow.shared.logs import configure_logging
from tweetnow.shared.messages import POST_TWEET, PostTweet
from tweetnow.shared.models import Tweet, TweetStatus, User
from tweetnow.shared.settings import Settings
from tweetnow.shared.worker_registry import WorkerRegistry
from tweetnow.web.app import create_app
from tweetnow.web.deps import WebDeps
from tweetnow.web.sessions import SessionManager

RESULTS = Path(__file__).parent / "results"
JOBS = 10_000
READY, DELAYED, DEAD = 3_000, 2_000, 1_000
WARM_UP = 20
#: The admin's X user id (the 50 other people have ids 0 to 49).
ADMIN_X_USER_ID = "1000"
STATUSES = [TweetStatus.SENT] * 6 + [
    TweetStatus.FAILED,
    TweetStatus.QUEUED,
    TweetStatus.SCHEDULED,
    TweetStatus.CANCELED,
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))]


class _StartSession:
    def __init__(self, sessions: SessionManager, user: User) -> None:
        self.sessions, self.user = sessions, user

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.sessions.start(resp, self.user)


def seed(deps: WebDeps) -> tuple[dict[str, str], dict[str, str]]:
    """The rows, messages and records; the admin's cookies and a few paths to open."""
    database.connect(reuse_if_open=True)
    users = [
        User.create(x_user_id=str(i), username=f"user{i}", x_access_token="-", x_access_secret="-")
        for i in range(50)
    ]
    admin = User.create(
        x_user_id=ADMIN_X_USER_ID, username="admin", x_access_token="-", x_access_secret="-"
    )
    with database.atomic():
        rows = [
            {
                "user": users[i % len(users)].id,
                "text": f"Tweet {i} https://example.com/{i}",
                "status": STATUSES[i % len(STATUSES)],
                "job_id": f"job-{i}",
                "error": "X said 503; gave up" if STATUSES[i % len(STATUSES)] == "failed" else None,
            }
            for i in range(JOBS)
        ]
        for start in range(0, JOBS, 500):
            Tweet.insert_many(rows[start : start + 500]).execute()
    jobs, client, broker = deps.jobs, deps.redis, deps.broker
    for i in range(JOBS):
        job_id = f"job-{i}"
        message = POST_TWEET.message(PostTweet(tweet_id=i + 1), message_id=job_id)
        if i < READY:
            broker.enqueue(message)
        elif i < READY + DELAYED:
            retrying = i % 2 == 0
            options = {"retries": 2} if retrying else {}
            broker.enqueue(message.copy(options=options), delay=3_600_000)
            if retrying:
                jobs.record_started(job_id)
                jobs.record_finished(job_id, JobState.RETRYING, error="X is down (503)")
        else:
            jobs.record_started(job_id)
            if i < READY + DELAYED + DEAD:
                jobs.record_finished(job_id, JobState.FAILED, error="gave up: X said 503")
                redis_id = f"dead-{i}"
                dead = message.copy(options={"redis_message_id": redis_id, "retries": 8})
                client.zadd("dramatiq:tweets.XQ", {redis_id: time.time() * 1000 - i})
                client.hset("dramatiq:tweets.XQ.msgs", redis_id, dead.encode())
            else:
                jobs.record_finished(job_id, JobState.SUCCEEDED)
    for n in range(3):
        registry = WorkerRegistry(name=f"tweeter-{n}:{100 + n}", interval_s=3600)
        # Stand-ins holding only what the registry reads of a booted broker and worker.
        booted = SimpleNamespace(client=client, get_declared_queues=set, broker_id=f"bench-{n}")
        worker = SimpleNamespace(consumer_whitelist={"tweets", "periodic"}, worker_threads=8)
        registry.after_worker_boot(cast(dramatiq.Broker, booted), cast(dramatiq.Worker, worker))
    app = falcon.App()
    app.add_route("/start", _StartSession(SessionManager(deps.settings), admin))
    cookies = falcon.testing.TestClient(app).simulate_get("/start").cookies
    database.close()
    failed_id = STATUSES.index(TweetStatus.FAILED) + READY + DELAYED + 1
    pages = {
        "overview": "/admin",
        "queues": "/admin/queues",
        "queue_ready": "/admin/queues/tweets",
        "queue_delayed": "/admin/queues/tweets?state=delayed",
        "queue_dead": "/admin/queues/tweets?state=dead",
        "workers": "/admin/workers",
        "retrying": "/admin/retrying",
        "scheduled": "/admin/scheduled",
        "dead": "/admin/dead",
        "periodic": "/admin/periodic",
        "tweets": "/admin/tweets",
        "tweets_search": "/admin/tweets?user=user7&status=failed",
        "tweet": f"/admin/tweets/{failed_id}",
        "mail": "/admin/mail",
    }
    return {name: c.value for name, c in cookies.items()}, pages


def main() -> None:
    n = int(os.environ.get("BENCH_ADMIN_REQUESTS", "200"))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        server = RedisServer.start(workdir)
        env = {
            "REDIS_URL": server.url,
            "DATABASE_URL": f"sqlite:///{workdir / 'admin.sqlite3'}",
            "SECRET_KEY": "bench-admin",
            "ADMIN_X_USER_IDS": ADMIN_X_USER_ID,
            "LOG_LEVEL": "WARNING",
        }
        try:
            subprocess.run(
                [console_script("tweetnow-migrate")],
                env={**os.environ, **env},
                check=True,
                capture_output=True,
            )
            settings = Settings.from_env(env)
            configure_logging("WARNING", "console")
            open_database(settings.database_url)
            deps = WebDeps.from_settings(settings)
            started = time.perf_counter()
            cookies, pages = seed(deps)
            seeded_s = time.perf_counter() - started
            client = falcon.testing.TestClient(create_app(deps))
            results: dict[str, dict] = {}
            for name, path in pages.items():
                for _ in range(WARM_UP):
                    assert client.simulate_get(path, cookies=cookies).status_code == 200, path
                samples = []
                for _ in range(n):
                    t0 = time.perf_counter()
                    status = client.simulate_get(path, cookies=cookies).status_code
                    samples.append((time.perf_counter() - t0) * 1000)
                    assert status == 200, (path, status)
                results[name] = {
                    "path": path,
                    "p50_ms": round(percentile(samples, 50), 2),
                    "p99_ms": round(percentile(samples, 99), 2),
                    "requests": n,
                }
        finally:
            server.stop()
    report = {"jobs": JOBS, "ready": READY, "delayed": DELAYED, "dead": DEAD, "pages": results}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "admin.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"seeded {JOBS} jobs in {seeded_s:.1f} s")
    print(f"{'page':<15} {'p50':>7} {'p99':>7}  (ms, in-process)")
    for name, r in results.items():
        print(f"{name:<15} {r['p50_ms']:>7} {r['p99_ms']:>7}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
