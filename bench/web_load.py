"""HTTP load with wrk: the web's endpoints beside a bare Falcon app under the same gunicorn
settings, in one run, with the load generator's own CPU next to each row.

wrk (Debian's package, `make bench` installs it) keeps its connections alive and
runs in C: at these rates it is not what saturates, and each row says how much
CPU it used. The Lua scripts in bench/wrk/ write the POST bodies, hold a steady
rate where asked (each request waits for its slot of a schedule), and print the
percentiles.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from bench.machine import worker_memory_mb
from tests.support.processes import Process, console_script, free_port, web_gunicorn_argv
from tests.support.stack import Stack

WRK_DIR = Path(__file__).resolve().parent / "wrk"
#: The issue's settings: two wrk threads, eight kept-alive connections.
THREADS, CONNECTIONS = 2, 8
#: A steady-rate run: the rate asked (one wrk thread keeps the schedule), over enough
#: connections that a slow answer on one does not hold the others back.
STEADY_CONNECTIONS, STEADY_RATE = 8, 100
STEADY_ROW = f"POST /api/tweets, steady {STEADY_RATE}/s asked"
#: The PostgreSQL rows are named as the SQLite ones, with this after.
ON_POSTGRES = " (PostgreSQL)"
#: The least a durable accept does (bench/bare_write.py): one row, one Redis command.
BARE_WRITE = "bare POST + row + LPUSH"
#: One row of the report: the wrk numbers (``wrk()``) of the round that stands for it
#: (``summarise``), how many rounds ran, the median req/s, and the spread of req/s and
#: p99 over them.
Row = dict[str, Any]


class HttpRun(NamedTuple):
    rows: dict[str, Row]
    #: Each bare Falcon gunicorn worker's RSS, PSS and USS in MiB (``worker_memory_mb``).
    bare_workers_mb: dict[str, dict[str, float]]


#: People whose API tokens take turns in the POST runs. No tweeter takes what a run
#: posts, so each run starts with every pending tweet canceled (``cancel_pending``):
#: within one run (about 11,000 tweets at most here) none of them then gets near
#: the 500 pending tweets MAX_PENDING_TWEETS allows by default, the most the limit
#: check ever counts in production. Left to pile up over the rows and rounds they
#: reached about 1,400 each, a count no person can have.
PEOPLE = 50


@dataclass(frozen=True)
class Load:
    """One wrk run: a script from bench/wrk/ against a URL, with its environment."""

    name: str
    url: str
    script: str
    env: dict[str, str]
    connections: int = CONNECTIONS
    threads: int = THREADS
    steady: bool = False


def wrk(load: Load, duration_s: int) -> dict[str, float]:
    """Run wrk for ``duration_s``; its numbers, and its CPU as a share of one core."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write((WRK_DIR / load.script).read_text())
        script.write((WRK_DIR / "report.lua").read_text())
    env = {**os.environ, **load.env}
    if load.steady:
        env["BENCH_RATE"] = str(STEADY_RATE)
    argv = [
        "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{duration_s}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
        load.url,
    ]
    try:
        with tempfile.TemporaryFile("w+") as out:
            started = time.perf_counter()
            proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            text = out.read()
    finally:
        os.unlink(script.name)
    line = next((x for x in text.splitlines() if x.startswith("WRK_RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{text}")
    raw = json.loads(line.removeprefix("WRK_RESULT "))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "errors": raw["socket_errors"] + raw["non_2xx"],
        "client_cpu_pct": round(100 * (usage.ru_utime + usage.ru_stime) / wall, 1),
        "connections": load.connections,
        **({"asked_rps": STEADY_RATE} if load.steady else {}),
    }


def bare_app(env: dict[str, str], workdir: Path, app: str) -> Process:
    """A baseline app, bench/<app>.py (``bare_falcon`` or ``bare_write``), under the web's
    own gunicorn settings, on a port of its own."""
    port = free_port()
    proc = Process(
        app,
        web_gunicorn_argv(f"bench.{app}:app"),
        {**env, "WEB_PORT": str(port)},
        workdir / f"{app}.log",
    )
    proc.start().wait_for_http(f"http://127.0.0.1:{port}/healthz")
    return proc


def _url(proc: Process) -> str:
    return f"http://127.0.0.1:{proc.env['WEB_PORT']}"


def people_tokens(stack: Stack, count: int) -> list[str]:
    """API tokens of ``count`` new people, signed in through the sandbox."""
    run = uuid.uuid4().hex[:6]
    return [stack.sign_in(f"load{run}{i}").create_token() for i in range(count)]


def loads(web_url: str, bare_url: str, write_url: str, tokens: list[str]) -> list[Load]:
    run = uuid.uuid4().hex[:6]
    next_month = (datetime.now(UTC) + timedelta(days=30)).isoformat(timespec="seconds")
    posting = {"BENCH_TOKENS": ",".join(tokens), "BENCH_RUN": run}
    return [
        Load("bare Falcon GET", f"{bare_url}/healthz", "get.lua", {}),
        Load("bare Falcon POST", f"{bare_url}/api/tweets", "post_tweet.lua", {"BENCH_RUN": run}),
        Load(BARE_WRITE, f"{write_url}/api/writes", "post_tweet.lua", {"BENCH_RUN": run}),
        Load("GET /healthz", f"{web_url}/healthz", "get.lua", {}),
        Load("GET /api/me", f"{web_url}/api/me", "get.lua", {"BENCH_TOKEN": tokens[0]}),
        Load("POST /api/tweets", f"{web_url}/api/tweets", "post_tweet.lua", posting),
        Load(
            "POST /api/tweets, send_at next month",
            f"{web_url}/api/tweets",
            "post_tweet.lua",
            {**posting, "BENCH_SEND_AT": next_month, "BENCH_RUN": run + "s"},
        ),
        Load(
            STEADY_ROW,
            f"{web_url}/api/tweets",
            "post_tweet.lua",
            {**posting, "BENCH_RUN": run + "r"},
            connections=STEADY_CONNECTIONS,
            threads=1,
            steady=True,
        ),
    ]


def run(
    stack: Stack,
    env: dict[str, str],
    workdir: Path,
    duration_s: int,
    rounds: int,
    *,
    keep: list[str] | None = None,
) -> HttpRun:
    """Every load ``rounds`` times, interleaved, so a busy moment hits them all alike;
    with ``keep``, only the rows whose names hold one of its words (and the bare ones).
    Then the bare app's workers' memory, at rest after the same runs as the web's."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: `make bench` installs Debian's package")
    tokens = people_tokens(stack, PEOPLE)
    bare, write = bare_app(env, workdir, "bare_falcon"), bare_app(env, workdir, "bare_write")
    try:
        plan = [
            load
            for load in loads(stack.web_url, _url(bare), _url(write), tokens)
            if not keep or load.name.startswith("bare") or any(w in load.name for w in keep)
        ]
        rows = _rounds(plan, duration_s, rounds, partial(cancel_pending, env["DATABASE_URL"]))
        return HttpRun(rows, worker_memory_mb(bare.pid))
    finally:
        bare.stop()
        write.stop()


class PostgresWeb(NamedTuple):
    """The web (development environment) on a throwaway PostgreSQL: its environment (the
    bench's, with the cluster's ``DATABASE_URL`` and the web's port), its URL, and the
    API tokens of PEOPLE people signed in there."""

    env: dict[str, str]
    web_url: str
    tokens: list[str]


@contextmanager
def web_on_postgres(stack: Stack, env: dict[str, str], workdir: Path) -> Iterator[PostgresWeb]:
    """A throwaway cluster (pooled connections from the web, as in production), migrated,
    with a web on it; everything is stopped and the cluster removed on the way out."""
    from bench.postgres import throwaway_postgres

    with throwaway_postgres(durable=True) as url:
        port = free_port()
        web_url = f"http://127.0.0.1:{port}"
        pg_env = {**env, "DATABASE_URL": url, "WEB_PORT": str(port), "PUBLIC_BASE_URL": web_url}
        subprocess.run(
            [console_script("tweetnow-migrate")], env={**os.environ, **pg_env}, check=True
        )
        web = Process("web-pg", [console_script("tweetnow-web")], pg_env, workdir / "web-pg.log")
        web.start().wait_for_http(f"{web_url}/healthz")
        try:
            tokens = people_tokens(Stack(web_url=web_url, sandbox_url=stack.sandbox_url), PEOPLE)
            yield PostgresWeb(pg_env, web_url, tokens)
        finally:
            web.stop()


def postgres_rows(
    pg: PostgresWeb, env: dict[str, str], workdir: Path, duration_s: int, rounds: int
) -> dict[str, Row]:
    """The accept rows again with the web on PostgreSQL (``web_on_postgres``), beside the
    bare Falcon POST in the same rounds."""
    bare = bare_app(env, workdir, "bare_falcon")
    write = bare_app(pg.env, workdir, "bare_write")  # its rows on PostgreSQL too
    try:
        plan = [
            Load(
                f"{load.name}{ON_POSTGRES}",
                load.url,
                load.script,
                load.env,
                load.connections,
                load.threads,
                load.steady,
            )
            for load in loads(pg.web_url, _url(bare), _url(write), pg.tokens)
            if load.name in ("bare Falcon POST", BARE_WRITE) or load.name.startswith("POST")
        ]
        return _rounds(plan, duration_s, rounds, partial(cancel_pending, pg.env["DATABASE_URL"]))
    finally:
        bare.stop()
        write.stop()


def _rounds(
    plan: list[Load], duration_s: int, rounds: int, reset: Callable[[], object]
) -> dict[str, Row]:
    """Every load of ``plan`` ``rounds`` times, interleaved; ``reset`` before each run that
    posts tweets (the people start it with none pending)."""

    def run(load: Load, seconds: int) -> dict[str, float]:
        if load.url.endswith("/api/tweets") and not load.name.startswith("bare"):
            reset()
        return wrk(load, seconds)

    for load in plan:  # warm up: first requests import, connect and fill caches
        run(load, 1)
    rows: dict[str, list[dict[str, float]]] = {load.name: [] for load in plan}
    for _ in range(rounds):
        for load in plan:
            rows[load.name].append(run(load, duration_s))
    return {load.name: summarise(rows[load.name], steady=load.steady) for load in plan}


def summarise(samples: list[dict[str, float]], *, steady: bool = False) -> Row:
    """One round to stand for a row, with the spread of req/s and p99 over the rounds.

    A row at full load keeps its best round (the most requests a second): another
    process on the machine only ever takes CPU from a run, never gives it more, so
    the best round is the nearest to what the row can do, for the web and for bare
    Falcon alike. A steady row asks for a fixed rate; it keeps its median round by
    p99, the number it is held to.
    """
    if steady:
        chosen = sorted(samples, key=lambda s: s["p99_ms"])[len(samples) // 2]
    else:
        chosen = max(samples, key=lambda s: s["rps"])
    rates = sorted(s["rps"] for s in samples)
    return {
        **chosen,
        "rounds": len(samples),
        "median_rps": rates[len(rates) // 2],
        "rps_spread": [rates[0], rates[-1]],
        "p99_spread": [min(s["p99_ms"] for s in samples), max(s["p99_ms"] for s in samples)],
    }


def cancel_pending(database_url: str) -> int:
    """Cancel the tweets the runs left queued or scheduled (no tweeter ran): the next run
    starts with none pending, and the sweeper and the dispatcher must not send them
    during the benchmarks that follow. On SQLite the WAL is then checkpointed, so that
    the next run's first writer does not pay for copying this update back."""
    from peewee import SqliteDatabase

    from tweetnow.shared.db import open_database
    from tweetnow.shared.models import Tweet, TweetStatus

    db = open_database(database_url)
    with db.connection_context():
        canceled = int(
            Tweet.update(status=TweetStatus.CANCELED)
            .where(Tweet.status.in_((TweetStatus.QUEUED, TweetStatus.SCHEDULED)))
            .execute()
        )
        if isinstance(db, SqliteDatabase):
            db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return canceled
