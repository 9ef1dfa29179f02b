"""`python -m bench.http`: only the HTTP rows of `make bench` (wrk against the web and a
bare Falcon app, side by side), and the web's and bare Falcon's gunicorn workers' memory
at rest after the runs (from the development environment: ``make bench`` reads the
web image's).

BENCH_HTTP_SECONDS (default 8) and BENCH_HTTP_ROUNDS (default 3) size the runs;
BENCH_HTTP_ROWS (comma-separated words) keeps only the rows whose names hold one of
them, the bare Falcon rows always kept: ``BENCH_HTTP_ROWS=healthz,POST``. The accept
rows run again on a throwaway PostgreSQL unless BENCH_POSTGRES=0.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from bench import web_load
from bench.machine import describe_speed, load_average, speed, worker_memory_mb
from bench.stack import start_stack
from tests.support.stack import Stack


def main() -> None:
    seconds = int(os.environ.get("BENCH_HTTP_SECONDS", "8"))
    rounds = int(os.environ.get("BENCH_HTTP_ROUNDS", "3"))
    keep = [w for w in os.environ.get("BENCH_HTTP_ROWS", "").split(",") if w]
    started = load_average()
    machine = describe_speed(speed())
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env, server, procs = start_stack(workdir)
        web = procs[0]
        stack = Stack(web_url=env["PUBLIC_BASE_URL"], sandbox_url=env["X_SANDBOX_PUBLIC_URL"])
        try:
            http_run = web_load.run(stack, env, workdir, seconds, rounds, keep=keep)
            memory = worker_memory_mb(web.pid)
            rows = http_run.rows
            if os.environ.get("BENCH_POSTGRES", "1") == "1":
                with web_load.web_on_postgres(stack, env, workdir) as pg:
                    rows |= web_load.postgres_rows(pg, env, workdir, seconds, rounds)
        finally:
            for p in procs:
                p.stop()
            server.stop()
    print(f"load average {started} -> {load_average()}; {env['DATABASE_URL'].split(':')[0]}")
    print(f"machine at the start: {machine}")
    for name, v in rows.items():
        spread = f"{v['rps_spread'][0]:.0f}-{v['rps_spread'][1]:.0f}"
        print(
            f"  {name:<38}{v['rps']:>9}{v['median_rps']:>9}{spread:>14}{v['p50_ms']:>8}"
            f"{v['p99_ms']:>9}"
            f"{v['errors']:>6}{v['client_cpu_pct']:>7}%  {v.get('asked_rps', '')}"
        )
    print("the web's workers after the runs (MiB):", json.dumps(memory))
    print("bare Falcon's workers after the runs (MiB):", json.dumps(http_run.bare_workers_mb))


if __name__ == "__main__":
    main()
