"""The stack every benchmark runs against: redis-server, migrate, the X sandbox and
gunicorn web, on free loopback ports (workers are started by each benchmark).

The database is a new SQLite file, or the (empty) database at ``BENCH_DATABASE_URL``
when that is set, e.g. a PostgreSQL the person running the bench started."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.processes import Process, RedisServer, console_script, free_port


def start_stack(workdir: Path) -> tuple[dict[str, str], RedisServer, list[Process]]:
    server = RedisServer.start(workdir)
    web_port, sandbox_port = free_port(), free_port()
    env = {
        "REDIS_URL": server.url,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL")
        or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "SECRET_KEY": "bench",
        # What the images write (and what a line costs in production), not the
        # development default's readable lines.
        "LOG_FORMAT": "json",
        "WEB_PORT": str(web_port),
        "WEB_CONCURRENCY": "2",
        # The HTTP runs post tens of thousands of tweets that no tweeter takes.
        "MAX_PENDING_TWEETS": "1000000",
        # Enough threads that the sandbox is not what bounds three tweeters at 300 ms.
        "X_SANDBOX_THREADS": "64",
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
