"""`make bench`: every benchmark in one run, side by side on this machine.

Prints a table (each number with what it means) and issue 15's targets (each a
ratio of two numbers of this run, met or not), writes bench/results/numbers.json
and the chart docs/bench/numbers.svg that the README shows. Real processes on
loopback: redis-server, gunicorn, dramatiq, celery, rq, the X sandbox, and wrk
driving the HTTP numbers.
BENCH_QUICK=1 runs fewer samples (a smoke run, numbers not for the README).
``python -m bench.run jobs [rounds]`` runs only the no-op job rows (tweetnow, bare
Dramatiq, Celery, RQ, on one Redis, emptied before each) and their targets, and
writes nothing.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import redis

from bench import (
    done,
    image_web,
    image_workers,
    images,
    overhead,
    pickup,
    throughput,
    web_load,
)
from bench.chart import render
from bench.machine import (
    describe_speed,
    group_rss_mb,
    largest_process_rss_mb,
    load_average,
    speed,
    wait_until_quiet,
    worker_memory_mb,
)
from bench.stack import start_stack
from bench.targets import evaluate, job_targets
from tests.support.processes import Process, RedisServer, console_script
from tests.support.stack import Stack

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "numbers.json"
CHART = ROOT / "docs" / "bench" / "numbers.svg"


def sizes() -> dict[str, int]:
    quick = os.environ.get("BENCH_QUICK") == "1"
    return {
        "pickup_samples": 8 if quick else 40,
        "jobs": 300 if quick else 5000,
        "job_rounds": 1 if quick else 3,
        "rq_jobs": 50 if quick else 300,
        "http_seconds": 2 if quick else 8,
        "http_rounds": 1 if quick else 3,
        "done_samples": 20 if quick else 200,
        "tput_fast": 100 if quick else 400,
        "tput_slow": 60 if quick else 240,
    }


def service(env: dict[str, str], workdir: Path, name: str, script: str, ready: str) -> Process:
    proc = Process(name, [console_script(script)], env, workdir / f"{name}.log").start()
    proc.wait_for_log(ready, timeout=60)
    return proc


def sample_max_rss(pgid: int, stop: threading.Event, out: list[float]) -> None:
    while not stop.wait(0.5):
        out.append(group_rss_mb(pgid))


def stack_benchmarks(workdir: Path, n: dict[str, int], *, image_built: bool) -> dict[str, Any]:
    env, server, procs = start_stack(workdir)
    web, sandbox = procs
    stack = Stack(web_url=env["PUBLIC_BASE_URL"], sandbox_url=env["X_SANDBOX_PUBLIC_URL"])
    out: dict[str, Any] = {}
    try:
        stop, web_rss = threading.Event(), list[float]()
        sampler = threading.Thread(target=sample_max_rss, args=(web.pid, stop, web_rss))
        sampler.start()
        http_run = web_load.run(stack, env, workdir, n["http_seconds"], n["http_rounds"])
        out["http"] = http_run.rows
        out["web_workers_mb"] = worker_memory_mb(web.pid)
        out["bare_falcon_workers_mb"] = http_run.bare_workers_mb
        stop.set()
        sampler.join()
        if image_built:
            # The memory target's workers: the web image's, after the same kinds of requests.
            tokens = web_load.people_tokens(stack, 10)
            out["web_image_workers"] = image_web.run(env, workdir, tokens)
        # The accept rows once more, the web on PostgreSQL (its own throwaway cluster),
        # before any tweeter runs: one would take their messages (the same Redis) and
        # spend the CPU the web is measured on. Then the web image's workers on it too,
        # as the image runs in production.
        with web_load.web_on_postgres(stack, env, workdir) as pg:
            out["http"] |= web_load.postgres_rows(
                pg, env, workdir, n["http_seconds"], n["http_rounds"]
            )
            if image_built:
                out["web_image_workers_postgres"] = image_web.run(pg.env, workdir, pg.tokens)
        # No worker took the accepted tweets: drop their messages and cancel their rows,
        # so neither they nor the sweeper load what follows.
        redis.Redis.from_url(server.url).delete("dramatiq:tweets", "dramatiq:tweets.msgs")
        web_load.cancel_pending(env["DATABASE_URL"])

        tweeter = service(
            env, workdir, "tweeter", "tweetnow-tweeter", "Worker process is ready for action"
        )
        mailer = service(
            env, workdir, "mailer", "tweetnow-mailer", "Worker process is ready for action"
        )
        scheduler = service(env, workdir, "scheduler", "tweetnow-scheduler", "Starting Periodiq")
        time.sleep(3)
        assert server.process is not None
        out["memory_mb"] = {
            "at_rest": {
                "web (gunicorn, 2 workers)": group_rss_mb(web.pid),
                "tweeter (1 process x 8 threads)": group_rss_mb(tweeter.pid),
                "mailer": group_rss_mb(mailer.pid),
                "scheduler": group_rss_mb(scheduler.pid),
                "x-sandbox": group_rss_mb(sandbox.pid),
                "redis-server": group_rss_mb(server.process.pid),
            },
            "under_load": {"web (gunicorn, 2 workers), HTTP runs": max(web_rss or [0.0])},
            "largest_process": {
                "web worker": largest_process_rss_mb(web.pid, leader=False),
                "tweeter": largest_process_rss_mb(tweeter.pid),
                "mailer": largest_process_rss_mb(mailer.pid),
            },
        }
        scheduler.stop()
        mailer.stop()
        out["done"] = done.run(stack, n["done_samples"], load_per_s=20)
        # The tweeter again, at rest once it has posted: the target takes the larger.
        largest = out["memory_mb"]["largest_process"]
        largest["tweeter"] = max(largest["tweeter"], largest_process_rss_mb(tweeter.pid))
        tweeter.stop()
        if image_built:
            # The memory target's workers: the images', the tweeter's after it has posted.
            out["worker_images"] = image_workers.run(env, workdir, stack)
        out["throughput"] = throughput.run(stack, env, workdir, n["tput_fast"], n["tput_slow"])
        fast = out["throughput"]["sandbox_0ms"]["3_tweeters"]
        out["memory_mb"]["under_load"]["tweeter, 3-process run, each"] = fast[
            "rss_mb_per_tweeter_under_load"
        ]
    finally:
        for p in procs:
            p.stop()
        server.stop()
    return out


def versions() -> dict[str, str]:
    from importlib.metadata import version

    found = {p: version(p) for p in ("dramatiq", "redis", "falcon", "gunicorn", "celery", "rq")}
    redis_v = subprocess.run(["redis-server", "--version"], capture_output=True, text=True)
    found["redis-server"] = redis_v.stdout.split()[2].removeprefix("v=")
    found["python"] = platform.python_version()
    return found


def table(r: dict) -> list[str]:
    p, j, h, d, t = r["pickup"], r["jobs"], r["http"], r["done"], r["throughput"]
    lines = [f"load average {r['load_average_start']} -> {r['load_average_end']}, {r['cpus']} CPUs"]
    if found := r.get("speed"):
        lines.append(f"machine at the start: {describe_speed(found['start'])}")
        lines.append(f"machine at the end:   {describe_speed(found['end'])}")
    if quiet := r.get("quiet_before_rows"):
        lines.append(
            f"waited {quiet['waited_s']} s for the machine to go quiet before the first row"
            f" (CPUs {quiet['busy']:.0%} busy then)"
        )
    lines.append(
        "\nPICKUP  idle worker: send() -> the job starts; Redis commands/s with nothing to do"
    )
    lines.append(f"  {'mode':<14}{'p50 ms':>9}{'p90 ms':>9}{'max ms':>9}{'cmds/s at rest':>16}")
    for mode, v in p.items():
        lines.append(
            f"  {mode:<14}{v['p50_ms']:>9}{v['p90_ms']:>9}{v['max_ms']:>9}"
            f"{v['redis_commands_per_s_at_rest']:>16}"
        )
    lines.append(
        "\nJOBS  the same no-op job; enqueue from one thread; one worker runs the backlog "
        "(the best round's rates, the median run/s, each round's run/s)"
    )
    lines.append(f"  {'system':<10}{'enqueue/s':>11}{'run/s':>9}{'median':>9}  rounds")
    for system, v in j.items():
        each = " / ".join(str(r) for r in v.get("rounds", []))
        lines.append(
            f"  {system:<10}{v['enqueue_per_s']:>11}{v['run_per_s']:>9}"
            f"{v.get('median_run_per_s', '')!s:>9}  {each}"
        )
    lines.append(
        f"  overhead: tweetnow runs {j['tweetnow']['run_per_s'] / j['dramatiq']['run_per_s']:.2f}x "
        "the jobs/s of bare Dramatiq (contract check, job status, log context)"
    )
    lines.append(
        f"\nHTTP  wrk, keep-alive, {web_load.THREADS} threads x {web_load.CONNECTIONS} connections "
        f"(the steady run: 1 x {web_load.STEADY_CONNECTIONS}, {web_load.STEADY_RATE} req/s asked); "
        "the best round (a steady row: its median by p99), the median req/s; "
        "client CPU = wrk's own"
    )
    lines.append(
        f"  {'endpoint':<38}{'req/s':>9}{'median':>9}{'spread':>16}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'errors':>7}{'wrk CPU':>9}"
    )
    for name, v in h.items():
        spread = f"{v['rps_spread'][0]:.0f}-{v['rps_spread'][1]:.0f}"
        lines.append(
            f"  {name:<38}{v['rps']:>9}{v.get('median_rps', '')!s:>9}{spread:>16}"
            f"{v['p50_ms']:>8}{v['p99_ms']:>8}"
            f"{v['errors']:>7}{v['client_cpu_pct']:>8}%"
        )
    for on in ("", web_load.ON_POSTGRES):
        accept, write = h.get(f"POST /api/tweets{on}"), h.get(f"{web_load.BARE_WRITE}{on}")
        if accept and write:
            lines.append(
                f"  POST /api/tweets{on} / {web_load.BARE_WRITE}{on}: "
                f"{accept['rps'] / write['rps']:.2f} (what the bookkeeping costs beyond the write)"
            )
    lines.append("\nDONE  POST -> the tweet is on X (sandbox created_at), one tweeter")
    for name, v in d.items():
        lines.append(
            f"  {name:<11} p50 {v['p50_ms']} ms  p90 {v['p90_ms']} ms  p99 {v['p99_ms']} ms "
            f"({v['samples']} tweets)"
        )
    lines.append("\nTHROUGHPUT  tweets/s posted to the sandbox (8 threads per tweeter)")
    for name, v in t.items():
        lines.append(
            f"  {name:<14} 1 tweeter {v['1_tweeter']['tweets_per_s']}/s   "
            f"3 tweeters {v['3_tweeters']['tweets_per_s']}/s   scaling x{v['scaling']}"
        )
    lines.append("\nMEMORY  resident size (RSS, MiB, the process and its forks; or one process)")
    for when, procs in r["memory_mb"].items():
        for name, mb in procs.items():
            lines.append(f"  {when:<16}{name:<42}{mb}")
    lines.append(
        "  each gunicorn worker after the HTTP runs, MiB (RSS: every page it maps; PSS: "
        "shared pages split among their sharers; USS: its own)"
    )
    image = r.get("web_image_workers") or {}
    on_postgres = r.get("web_image_workers_postgres") or {}
    for app, workers in (
        ("web image", image.get("workers_mb", {})),
        ("  then after sign-ins and uploads", image.get("after_sign_ins_mb", {})),
        ("web image on PostgreSQL", on_postgres.get("workers_mb", {})),
        ("  then after sign-ins and uploads", on_postgres.get("after_sign_ins_mb", {})),
        ("web venv", r.get("web_workers_mb", {})),
        ("bare Falcon", r.get("bare_falcon_workers_mb", {})),
    ):
        for pid, m in workers.items():
            lines.append(
                f"    {app:<12} {pid:<10} RSS {m['rss']:>6}  PSS {m['pss']:>6}  USS {m['uss']:>6}"
            )
    if not image:
        lines.append("    web image    not measured (no Docker, or its build failed)")
    workers = r.get("worker_images")
    if workers:
        lines.append(
            f"  worker images at rest, each process (the tweeter after {workers['posted']} posts)"
        )
        for service, processes in workers["processes_mb"].items():
            sizes = "  ".join(f"{mb}" for mb in processes.values())
            lines.append(f"    {service:<12} {sizes}")
    else:
        lines.append("  worker images  not measured (no Docker, or their build failed)")
    lines += image_lines(r.get("images"))
    lines.append("\nTARGETS  (issue 15; ratios of numbers from this run)")
    for row in r["targets"]:
        met = "met" if row["met"] else "NOT met"
        lines.append(f"  {row['target']:<46}{row['value']:>8}  {row['goal']:<12}{met}")
    return lines


def image_lines(found: dict | None) -> list[str]:
    if found is None:
        return ["\nIMAGES  not measured: Docker is not reachable"]
    if "error" in found:
        return [f"\nIMAGES  not measured: {found['error']}"]
    lines = [
        f"\nIMAGES  built by docker compose; MB added over the base {found['base']} "
        f"({found['base_mb']} MB), by layer"
    ]
    for service, v in found["services"].items():
        layers = ", ".join(f"{layer['mb']} ({layer['made_by'][:40]})" for layer in v["layers"])
        lines.append(f"  {service:<12}{v['added_mb']:>7} MB  {layers}")
    return lines


def chart(r: dict) -> str:
    p, j, h = r["pickup"], r["jobs"], r["http"]
    return render(
        [
            (
                "HTTP req/s under wrk, 8 connections (higher is better)",
                [
                    (
                        name.replace(", send_at next month", " (scheduled)"),
                        v["rps"],
                        f"{v['rps']:.0f}/s",
                    )
                    for name, v in h.items()
                    if "steady" not in name
                ],
            ),
            (
                "Issue 15's targets: share of the goal reached (1.0 = met; bars stop at 2)",
                [
                    (
                        row["label"],
                        min(_score(row), 2.0),
                        f"{row['value']} ({'met' if row['met'] else 'not met'})",
                    )
                    for row in r["targets"]
                ],
            ),
            (
                "Idle pickup, p50 ms (lower is better)",
                [(m, v["p50_ms"], f"{v['p50_ms']} ms") for m, v in p.items()],
            ),
            (
                "Redis commands/s from one idle worker (lower is better)",
                [
                    (m, v["redis_commands_per_s_at_rest"], str(v["redis_commands_per_s_at_rest"]))
                    for m, v in p.items()
                ],
            ),
            (
                "No-op jobs/s, one worker process (higher is better)",
                [(s, v["run_per_s"], f"{v['run_per_s']}/s") for s, v in j.items()],
            ),
        ],
        f"make bench, {r['cpus']} CPUs, load average {r['load_average_start'][0]} at start, "
        f"thread hand-off {r['speed']['start']['thread_handoff_us']} µs",
    )


def _score(row: dict) -> float:
    """How far a target is from its goal, 1.0 being the goal itself."""
    goal = float(str(row["goal"]).split()[1])
    value = float(row["value"]) or 0.001
    return round(value / goal if str(row["goal"]).startswith(">=") else goal / value, 2)


def main() -> None:
    n = sizes()
    results: dict[str, object] = {
        "cpus": os.cpu_count(),
        "load_average_start": load_average(),
        "sizes": n,
        "versions": versions(),
    }
    results["images"] = images.run()
    results["quiet_before_rows"] = wait_until_quiet()
    start_speed = speed()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "micro").mkdir()
        micro = RedisServer.start(workdir / "micro")
        try:
            results["pickup"] = pickup.run(micro.url, workdir, n["pickup_samples"])
            results["jobs"] = overhead.rounds(
                micro.url, workdir, n["jobs"], n["rq_jobs"], n["job_rounds"]
            )
        finally:
            micro.stop()
        (workdir / "stack").mkdir()
        built = isinstance(results["images"], dict) and "error" not in results["images"]
        results.update(stack_benchmarks(workdir / "stack", n, image_built=built))
    results["load_average_end"] = load_average()
    results["speed"] = {"start": start_speed, "end": speed()}
    results["targets"] = [t.row() for t in evaluate(results)]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    CHART.parent.mkdir(parents=True, exist_ok=True)
    CHART.write_text(chart(results))
    print("\n".join(table(results)))
    print(f"\nwrote {RESULTS.relative_to(ROOT)} and {CHART.relative_to(ROOT)}")


def jobs_only(rounds: int) -> None:
    """The job rows alone, ``rounds`` times: the quick way to compare the job path."""
    n = sizes()
    with tempfile.TemporaryDirectory() as tmp:
        # One Redis for every round: Celery's app keeps its first broker connection.
        micro = RedisServer.start(Path(tmp))
        try:
            for round_no in range(1, rounds + 1):
                jobs = overhead.run(micro.url, Path(tmp), n["jobs"], n["rq_jobs"])
                print(f"round {round_no}, load average {load_average()}")
                print(f"  {describe_speed(speed())}")
                for system, v in jobs.items():
                    print(
                        f"  {system:<10}{v['enqueue_per_s']:>11} enqueued/s"
                        f"{v['run_per_s']:>9} run/s"
                    )
                for row in job_targets(jobs):
                    met = "met" if row.met else "NOT met"
                    print(f"  {row.name:<46}{row.value:>8}  >= {row.goal:<8}{met}")
        finally:
            micro.stop()


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["jobs"]:
        jobs_only(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    else:
        main()
