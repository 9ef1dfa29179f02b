"""How fast the HTML pages answer, for a signed-in person with 20 tweets and 3 API tokens.

  app    the Falcon app in-process (falcon.testing): middleware, session lookup,
         queries and template rendering, without HTTP
  http   the same pages from gunicorn (the service's own config) over loopback,
         one keep-alive client, one request at a time

Each page is fetched BENCH_PAGE_REQUESTS times (default 300) after a warm-up;
prints p50/p99 in milliseconds and writes bench/results/pages.json.
Run with `python -m bench.pages`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import falcon
import falcon.testing
import requests

from tests.support.processes import Process, RedisServer, console_script, free_port
from tweetnow.shared.db import database, open_database
from tweetnow.shared.logs import configure_logging
from tweetnow.shared.models import Tweet, TweetStatus, User
from tweetnow.shared.settings import Settings
from tweetnow.web.app import create_app
from tweetnow.web.deps import WebDeps
from tweetnow.web.domain.tokens import TokenService
from tweetnow.web.sessions import SessionManager

RESULTS = Path(__file__).parent / "results"
PAGES = {"landing": "/", "compose": "/", "my_tweets": "/tweets", "account": "/account"}
WARM_UP = 30


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(samples_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples_ms, 50), 2),
        "p99_ms": round(percentile(samples_ms, 99), 2),
        "requests": len(samples_ms),
    }


def time_calls(call: Callable[[], int], n: int) -> list[float]:
    for _ in range(WARM_UP):
        assert call() == 200
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        status = call()
        samples.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    return samples


class _StartSession:
    def __init__(self, sessions: SessionManager, user: User) -> None:
        self.sessions, self.user = sessions, user

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.sessions.start(resp, self.user)


def seed(settings: Settings) -> dict[str, str]:
    """A person with tweets in every status and a few tokens; their session's cookies."""
    database.connect(reuse_if_open=True)
    user = User.create(
        x_user_id="1", username="bench", name="Bench", x_access_token="-", x_access_secret="-"
    )
    statuses = [TweetStatus.SENT, TweetStatus.FAILED, TweetStatus.QUEUED, TweetStatus.SENT]
    for i in range(40):
        status = statuses[i % len(statuses)]
        Tweet.create(
            user=user,
            text=f"Tweet number {i} with a link https://example.com/{i} and an emoji 😀",
            status=status,
            job_id=f"bench-{i}",
            x_tweet_id=str(1000 + i) if status == TweetStatus.SENT else None,
            error="X refused the tweet: Forbidden" if status == TweetStatus.FAILED else None,
        )
    for label in ("laptop", "ci", "phone"):
        TokenService().issue(user, label)
    app = falcon.App()
    app.add_route("/start", _StartSession(SessionManager(settings), user))
    result = falcon.testing.TestClient(app).simulate_get("/start")
    database.close()
    return {name: cookie.value for name, cookie in result.cookies.items()}


def _get_in_process(client: falcon.testing.TestClient, path: str, cookies: dict[str, str]) -> int:
    return client.simulate_get(path, cookies=cookies).status_code


def _get_over_http(session: requests.Session, url: str) -> int:
    return session.get(url, timeout=10).status_code


def bench_in_process(settings: Settings, cookies: dict[str, str], n: int) -> dict[str, dict]:
    client = falcon.testing.TestClient(create_app(WebDeps.from_settings(settings)))
    results = {}
    for name, path in PAGES.items():
        jar = {} if name == "landing" else cookies
        samples = time_calls(partial(_get_in_process, client, path, jar), n)
        results[name] = summary(samples)
    return results


def bench_http(env: dict[str, str], workdir: Path, cookies: dict[str, str], n: int) -> dict:
    web = Process("web", [console_script("tweetnow-web")], env, workdir / "web.log")
    web.start().wait_for_http(env["PUBLIC_BASE_URL"] + "/healthz")
    results = {}
    try:
        for name, path in PAGES.items():
            session = requests.Session()
            if name != "landing":
                session.cookies.update(cookies)
            url = env["PUBLIC_BASE_URL"] + path
            samples = time_calls(partial(_get_over_http, session, url), n)
            results[name] = summary(samples)
    finally:
        web.stop()
    return results


def main() -> None:
    n = int(os.environ.get("BENCH_PAGE_REQUESTS", "300"))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        server = RedisServer.start(workdir)
        port = free_port()
        env = {
            "REDIS_URL": server.url,
            "DATABASE_URL": f"sqlite:///{workdir / 'pages.sqlite3'}",
            "SECRET_KEY": "bench-pages",
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
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
            cookies = seed(settings)
            results = {
                "app": bench_in_process(settings, cookies, n),
                "http": bench_http(env, workdir, cookies, n),
            }
        finally:
            server.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pages.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'page':<10} {'app p50':>8} {'app p99':>8} {'http p50':>9} {'http p99':>9}  (ms)")
    for name in PAGES:
        app, http = results["app"][name], results["http"][name]
        print(
            f"{name:<10} {app['p50_ms']:>8} {app['p99_ms']:>8} "
            f"{http['p50_ms']:>9} {http['p99_ms']:>9}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
