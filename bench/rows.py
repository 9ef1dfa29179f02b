"""A million tweets in PostgreSQL: the queries behind `GET /api/tweets`, My tweets, the
admin search and dashboard, and the workers' recurring ones, before migration 7's
indexes and after, side by side. Run with `make bench-rows` (`python -m bench.rows`).

1. A throwaway PostgreSQL cluster (bench/postgres.py), migrated, then
   ``tweetnow-seed`` (``BENCH_ROWS_TWEETS``, default 1,000,000; 10,000 people, three
   of them with about 100,000 tweets each).
2. *Before*: the indexes as migration 6 left them (migration 7's taken away and
   the ones it replaces put back), statistics refreshed. *After*: ``migrate()`` runs
   step 7 on the seeded table (its time is printed), statistics refreshed.
3. In each state: the SQL the code really sends is captured from peewee's logger
   while the services run in-process (a heavy poster's list, My tweets, the admin
   search by person and by status, the dashboard's counts, a post's pending count,
   the dispatcher's and the sweeper's queries), and each statement is run under
   ``EXPLAIN (ANALYZE, BUFFERS)``; then gunicorn (the service's own config, 2
   workers) serves the pages to wrk, one thread, ``BENCH_ROWS_CONNECTIONS`` (2)
   kept-alive connections, ``BENCH_ROWS_SECONDS`` (5) a row, in
   ``BENCH_ROWS_ROUNDS`` (2) rounds that alternate before and after (the table
   shows each page's median round, of two the faster; the load average is printed
   with it), and then in-process (falcon.testing, one request at a time) for its p50.

Prints both tables; writes bench/results/rows.json and docs/bench/explain.md.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import falcon
import falcon.testing
from peewee import Database, fn

from bench.postgres import throwaway_postgres
from bench.web_load import Load, wrk
from tests.support.processes import Process, RedisServer, console_script, free_port
from tests.support.schema_steps import back_to_step_6
from tweetnow.shared.db import open_database
from tweetnow.shared.logs import configure_logging
from tweetnow.shared.migrations import migrate
from tweetnow.shared.models import Tweet, User
from tweetnow.shared.settings import Settings
from tweetnow.tweeter.housekeeping import dispatch_due_tweets, sweep_outbox
from tweetnow.web.admin.tweets_and_mail import Filters, TweetSearchPage, status_counts
from tweetnow.web.app import create_app
from tweetnow.web.deps import WebDeps
from tweetnow.web.domain.fair_use import check_pending_tweets
from tweetnow.web.domain.tokens import TokenService
from tweetnow.web.domain.tweets import TweetService
from tweetnow.web.seeding import seeded_username
from tweetnow.web.sessions import SessionManager

RESULTS = Path(__file__).parent / "results"
EXPLAIN_DOC = Path(__file__).resolve().parent.parent / "docs" / "bench" / "explain.md"
ADMIN_X_USER_ID = "4242424242"
#: Requests per page in-process, after its HTTP run.
IN_PROCESS_REQUESTS = 40


class _Captured(logging.Handler):
    """peewee logs each statement at DEBUG as ``(sql, params)``."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[tuple[str, tuple[Any, ...]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple) and len(record.msg) == 2:
            sql, params = record.msg
            if sql.lstrip().upper().startswith("SELECT"):
                self.statements.append((sql, tuple(params or ())))


@contextmanager
def captured_sql() -> Iterator[_Captured]:
    logger = logging.getLogger("peewee")
    handler = _Captured()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


@contextmanager
def connected(db: Database) -> Iterator[None]:
    """A connection for the bench's own statements; the in-process app closes it after
    each request it serves, and the next statement opens one again."""
    db.connect(reuse_if_open=True)
    try:
        yield
    finally:
        if not db.is_closed():
            db.close()


def _admin_search(**fields: str) -> Callable[[], object]:
    page = object.__new__(TweetSearchPage)  # search() reads only the class's fields
    filters = Filters(
        user=fields.get("user", ""),
        status=fields.get("status", ""),
        since="",
        until="",
        before=None,
    )
    return lambda: page.search(filters)


def workloads(deps: WebDeps, heavy: User, light: User) -> dict[str, Callable[[], object]]:
    tweets = TweetService(deps)
    return {
        "GET /api/tweets (a heavy poster)": lambda: tweets.page(heavy, limit=20, before=None),
        "GET /api/tweets (a light poster)": lambda: tweets.page(light, limit=20, before=None),
        "My tweets: the scheduled ones": lambda: tweets.scheduled(heavy, limit=20),
        "admin search by person": _admin_search(user=heavy.username),
        "admin search by status (canceled)": _admin_search(status="canceled"),
        "dashboard counts (tweets)": lambda: status_counts(Tweet),
        "a post's pending count": lambda: _pending(heavy),
        "dispatcher: due scheduled tweets": lambda: dispatch_due_tweets(None, horizon_s=60),  # type: ignore[arg-type]
        "sweeper: rows left on their way": lambda: sweep_outbox(None, None, grace_s=60),  # type: ignore[arg-type]
    }


def _pending(user: User) -> None:
    check_pending_tweets(user, 1_000_000)


def full_count() -> object:
    """The dashboard's count before this change: every row, by status."""
    return list(Tweet.select(Tweet.status, fn.COUNT(Tweet.id)).group_by(Tweet.status).tuples())


def explain_all(db: Database, work: dict[str, Callable[[], object]]) -> dict[str, list[str]]:
    """Each workload's statements under EXPLAIN (ANALYZE, BUFFERS): name → plan lines."""
    plans: dict[str, list[str]] = {}
    for name, call in work.items():
        with captured_sql() as seen:
            call()
        lines: list[str] = []
        for sql, params in seen.statements:
            cursor = db.execute_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines += ["-- " + sql % tuple(repr(p) for p in params)]
            lines += [row[0] for row in cursor.fetchall()]
        plans[name] = lines
    return plans


def summary_line(plan: list[str]) -> str:
    """The first plan node of the first statement and the total execution time(s)."""
    nodes = [line.strip() for line in plan if line and not line.startswith(("--", " "))]
    times = [line.split(":")[1].strip() for line in plan if line.startswith("Execution Time")]
    return f"{nodes[0] if nodes else ''} | {' + '.join(times)}"


def in_process_p50(app: falcon.testing.TestClient, load: Load) -> float:
    """The page's p50 from the app in-process (no HTTP, no other request at once), ms."""
    path, _, query = load.url.split("//", 1)[1].partition("/")[2].partition("?")
    headers = (
        {"Authorization": f"Bearer {load.env['BENCH_TOKEN']}"} if "BENCH_TOKEN" in load.env else {}
    )
    if "BENCH_COOKIE" in load.env:
        headers["Cookie"] = load.env["BENCH_COOKIE"]
    samples = []
    for _ in range(IN_PROCESS_REQUESTS):
        started = time.perf_counter()
        result = app.simulate_get("/" + path, query_string=query, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert result.status_code == 200, (load.name, result.status)
    return round(sorted(samples)[len(samples) // 2], 2)


def http_rows(
    env: dict[str, str],
    workdir: Path,
    token: str,
    cookies: dict[str, str],
    admin: dict[str, str],
    app: falcon.testing.TestClient,
    light: dict[str, str],
) -> dict[str, dict[str, float]]:
    web = Process("web", [console_script("tweetnow-web")], env, workdir / "web.log")
    base = env["PUBLIC_BASE_URL"]
    web.start().wait_for_http(base + "/healthz")
    seconds = int(os.environ.get("BENCH_ROWS_SECONDS", "5"))
    connections = int(os.environ.get("BENCH_ROWS_CONNECTIONS", "2"))
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    admin_cookie = "; ".join(f"{k}={v}" for k, v in admin.items())
    light_cookie = "; ".join(f"{k}={v}" for k, v in light.items())
    loads = [
        Load("GET /api/tweets", base + "/api/tweets", "get.lua", {"BENCH_TOKEN": token}),
        Load("My tweets (/tweets)", base + "/tweets", "get.lua", {"BENCH_COOKIE": cookie}),
        Load(
            "My tweets, a light poster", base + "/tweets", "get.lua", {"BENCH_COOKIE": light_cookie}
        ),
        Load(
            "admin search by person",
            base + "/admin/tweets?user=" + seeded_username(0),
            "get.lua",
            {"BENCH_COOKIE": admin_cookie},
        ),
        Load(
            "admin search by status",
            base + "/admin/tweets?status=canceled",
            "get.lua",
            {"BENCH_COOKIE": admin_cookie},
        ),
        Load(
            "admin dashboard (/admin)", base + "/admin", "get.lua", {"BENCH_COOKIE": admin_cookie}
        ),
    ]
    results = {}
    try:
        for load in loads:
            one = Load(load.name, load.url, load.script, load.env, connections, 1)
            results[load.name] = wrk(one, seconds)
            if results[load.name]["errors"]:
                raise RuntimeError(f"{load.name}: {results[load.name]} (see {workdir}/web.log)")
            results[load.name]["app_p50_ms"] = in_process_p50(app, load)
    finally:
        web.stop()
    return results


class _StartSession:
    def __init__(self, sessions: SessionManager, user: User) -> None:
        self.sessions, self.user = sessions, user

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.sessions.start(resp, self.user)


def session_cookies(settings: Settings, user: User) -> dict[str, str]:
    app = falcon.App()
    app.add_route("/start", _StartSession(SessionManager(settings), user))
    result = falcon.testing.TestClient(app).simulate_get("/start")
    return {name: cookie.value for name, cookie in result.cookies.items()}


def median_round(rounds: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Per page, the round with the median p50 (of two, the faster; the rounds alternate
    before and after, so a busy moment of a shared machine hits both states alike)."""
    return {
        name: sorted((r[name] for r in rounds), key=lambda row: row["p50_ms"])[
            (len(rounds) - 1) // 2
        ]
        for name in rounds[0]
    }


def to_step_6(db: Database) -> None:
    back_to_step_6(db)
    db.execute_sql("ANALYZE")


def main() -> None:
    tweets = int(os.environ.get("BENCH_ROWS_TWEETS", "1000000"))
    out: dict[str, Any] = {"tweets": tweets, "load_start": f"{os.getloadavg()[0]:.1f}"}
    with tempfile.TemporaryDirectory() as tmp, throwaway_postgres(durable=False) as url:
        workdir = Path(tmp)
        redis_server = RedisServer.start(workdir)
        port = free_port()
        env = {
            "REDIS_URL": redis_server.url,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-rows",
            "WEB_PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "ADMIN_X_USER_IDS": ADMIN_X_USER_ID,
            "LOG_LEVEL": "WARNING",
        }
        try:
            run_env = {**os.environ, **env}
            subprocess.run([console_script("tweetnow-migrate")], env=run_env, check=True)
            started = time.monotonic()
            subprocess.run(
                [console_script("tweetnow-seed"), "--tweets", str(tweets)], env=run_env, check=True
            )
            out["seed_s"] = round(time.monotonic() - started, 1)
            print(f"seeded {tweets:,} tweets in {out['seed_s']} s", flush=True)
            settings = Settings.from_env(env)
            configure_logging("WARNING", "console")
            db = open_database(url)
            deps = WebDeps.from_settings(settings)
            with connected(db):
                heavy = User.get(User.username == seeded_username(0))
                light = User.get(User.username == seeded_username(5000))
                admin = User.create(
                    x_user_id=ADMIN_X_USER_ID, username="benchadmin", x_access_token="-",
                    x_access_secret="-",
                )  # fmt: skip
                token = TokenService().issue(heavy, "bench").token
                cookies = session_cookies(settings, heavy)
                admin_cookies = session_cookies(settings, admin)
                light_cookies = session_cookies(settings, light)
                work = workloads(deps, heavy, light)
                app = falcon.testing.TestClient(create_app(deps))
                rounds = int(os.environ.get("BENCH_ROWS_ROUNDS", "2"))
                http: dict[str, list[dict[str, dict[str, float]]]] = {"before": [], "after": []}
                for n in range(rounds):
                    to_step_6(db)
                    if n == 0:
                        plans = explain_all(db, {"dashboard counts, every row": full_count, **work})
                        out["before"] = {"plans": plans}
                    http["before"].append(
                        http_rows(env, workdir, token, cookies, admin_cookies, app, light_cookies)
                    )
                    started = time.monotonic()
                    migrate(db)
                    out["step_7_s"] = round(time.monotonic() - started, 1)
                    print(f"migration 7 on {tweets:,} tweets: {out['step_7_s']} s", flush=True)
                    db.execute_sql("ANALYZE")
                    if n == 0:
                        out["after"] = {"plans": explain_all(db, work)}
                    http["after"].append(
                        http_rows(env, workdir, token, cookies, admin_cookies, app, light_cookies)
                    )
                for state in ("before", "after"):
                    out[state]["rounds"] = http[state]
                    out[state]["http"] = median_round(http[state])
        finally:
            redis_server.stop()
    out["load"] = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    report(out)


def report(out: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rows.json").write_text(json.dumps(out, indent=2) + "\n")
    before, after = out["before"], out["after"]
    print(
        f"\nHTTP, {out['tweets']:,} tweets (ms), load average {out['load_start']} "
        f"at the start, {out['load']} at the end"
    )
    print(
        f"{'page':<26} {'before p50':>10} {'p99':>7} {'app p50':>8}"
        f" {'after p50':>10} {'p99':>7} {'app p50':>8}"
    )
    for name, b in before["http"].items():
        a = after["http"][name]
        print(
            f"{name:<26} {b['p50_ms']:>10} {b['p99_ms']:>7} {b['app_p50_ms']:>8}"
            f" {a['p50_ms']:>10} {a['p99_ms']:>7} {a['app_p50_ms']:>8}"
        )
    print("\nEXPLAIN (ANALYZE, BUFFERS): the top node and execution time")
    names = list(dict.fromkeys([*before["plans"], *after["plans"]]))
    doc = [
        "# EXPLAIN of the tweet queries, a million rows",
        "",
        f"Written by `make bench-rows` ({out['tweets']:,} seeded tweets, PostgreSQL; "
        f"migration 7 took {out['step_7_s']} s). Each statement as peewee sent it, "
        "then its plan under `EXPLAIN (ANALYZE, BUFFERS)`, before migration 7's indexes "
        "and after.",
        "",
    ]
    for name in names:
        doc += [f"## {name}", ""]
        for state in ("before", "after"):
            plan = out[state]["plans"].get(name)
            if plan is None:
                continue
            print(f"{state:<6} {name}: {summary_line(plan)}")
            doc += [f"{state.title()}:", "", "```", *plan, "```", ""]
    EXPLAIN_DOC.write_text("\n".join(doc))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
