"""``python -m bench.soak``: soak the compose stack ``make soak`` started.

Signs the people in (the sandbox's "Sign in with X", an API token each), starts the
samplers, runs locust headless for the whole duration, waits for the queues to drain,
reads what became of every accepted tweet (PostgreSQL and the sandbox), then prints the
report and writes it to bench/results/soak-<time>.md and .json (the raw records beside
them in soak-<time>/). Exits 1 when the verdict is failed (memory grew after the
warm-up, too many errors, a tweet lost or doubled). A run of 10 minutes or more
redraws docs/bench/soak.svg.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from bench.machine import load_average
from bench.soak import chart as soak_chart
from bench.soak.plan import SoakPlan, seconds
from bench.soak.report import as_json, markdown
from bench.soak.samplers import Sampler, queue_depths
from bench.soak.verdict import EndState, Request, interval_rows, memory_rows, verdict
from tests.support.compose_faults import psql
from tests.support.compose_stack import compose, wait_http_ok
from tests.support.stack import Person, Stack

RESULTS = Path(__file__).resolve().parents[1] / "results"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
UNFINISHED = {"queued", "sending", "scheduled"}
#: Runs this long or longer redraw the README's chart; a shorter one (CI's minute) does not.
CHARTED_RUN_S = 600


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    p.add_argument("--web-url", required=True)
    p.add_argument("--sandbox-url", required=True)
    p.add_argument("--duration", default="10m", help="load in all, warm-up included (10m, 60s)")
    p.add_argument("--warmup", default="", help="default: a fifth of the duration")
    p.add_argument("--rate", type=float, default=40.0, help="requests a second, in all")
    p.add_argument("--users", type=int, default=40, help="locust users, one person each")
    p.add_argument("--sample-every", default="5s")
    p.add_argument("--max-growth", type=float, default=10.0, help="%% after the warm-up")
    p.add_argument("--max-error-rate", type=float, default=0.001)
    p.add_argument("--x-latency-ms", type=int, default=100, help="how long X takes a post")
    p.add_argument("--drain", default="3m", help="how long the queues may take to drain")
    return p.parse_args()


def cookie_header(person: Person) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in person.session.cookies)


def sign_in_people(stack: Stack, n: int) -> list[dict[str, str]]:
    def one(i: int) -> dict[str, str]:
        person = stack.sign_in(f"soak{i:03d}")
        token = person.create_token("soak")
        return {"username": person.username, "token": token, "cookie": cookie_header(person)}

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(n)))


def read_requests(path: Path) -> list[Request]:
    found = []
    for line in path.read_text().splitlines():
        t, name, ms, ok = line.rsplit(",", 3)
        found.append(Request(float(t), name, float(ms), ok == "1"))
    return found


def tweet_rows() -> dict[int, tuple[str, str]]:
    """Every tweet row: id -> (status, text)."""
    rows = {}
    for line in psql("SELECT id, status, text FROM tweet").splitlines():
        tweet_id, status, text = line.split("|", 2)
        rows[int(tweet_id)] = (status, text)
    return rows


def drain(timeout_s: float) -> float:
    """Wait until no tweet is queued or sending (or the timeout); the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        pending = psql("SELECT count(*) FROM tweet WHERE status IN ('queued', 'sending')")
        if int(pending.strip() or 0) == 0 and not any(queue_depths().values()):
            break
        time.sleep(2)
    return time.monotonic() - started


def end_state(stack: Stack, accepted: set[int]) -> EndState:
    rows = tweet_rows()
    on_x = Counter(t["text"] for t in stack.sandbox_tweets())
    sent = failed = queued = lost = 0
    for tweet_id in accepted:
        status, text = rows.get(tweet_id, ("(no row)", ""))
        if status == "sent" and on_x[text] >= 1:
            sent += 1
        elif status == "failed" and on_x[text] == 0:
            failed += 1
        elif status in UNFINISHED:
            queued += 1
        else:
            lost += 1
    duplicated = sum(1 for status, text in rows.values() if on_x[text] > 1)
    return EndState(len(accepted), sent, failed, queued, lost, duplicated)


def run_locust(plan: SoakPlan, web_url: str, workdir: Path, people: Path) -> None:
    env = os.environ | {
        "SOAK_PEOPLE_FILE": str(people),
        "SOAK_RATE_PER_USER": str(plan.rate / plan.users),
        "SOAK_REQUEST_LOG": str(workdir / "requests.csv"),
        "SOAK_ACCEPTED_LOG": str(workdir / "accepted.txt"),
    }
    command = [
        str(Path(sys.executable).with_name("locust")),
        "--locustfile", str(LOCUSTFILE),
        "--headless",
        "--host", web_url,
        "--users", str(plan.users),
        "--spawn-rate", str(plan.users),
        "--run-time", f"{plan.duration_s:.0f}s",
        "--stop-timeout", "10",
        "--only-summary",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    with open(workdir / "locust.log", "w") as log:
        locust = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            locust.wait(timeout=plan.duration_s + 120)
        finally:
            if locust.poll() is None:
                locust.terminate()
                locust.wait(timeout=30)


def main() -> int:
    args = arguments()
    plan = SoakPlan.from_knobs(
        duration=args.duration,
        warmup=args.warmup,
        rate=args.rate,
        users=args.users,
        sample_every=args.sample_every,
        max_growth_pct=args.max_growth,
        max_error_rate=args.max_error_rate,
    )
    stack = Stack(web_url=args.web_url.rstrip("/"), sandbox_url=args.sandbox_url.rstrip("/"))
    wait_http_ok(f"{stack.web_url}/readyz", timeout=120)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    # The raw records (every request, every accepted tweet, locust's own summary).
    workdir = RESULTS / f"soak-{stamp}"
    workdir.mkdir()
    people = workdir / "people.json"
    people.write_text(json.dumps(sign_in_people(stack, plan.users)))
    stack.clear_faults()
    stack.set_faults(latency_ms=args.x_latency_ms)
    tweeters = len(compose("ps", "--quiet", "--status", "running", "tweeter").split())
    load_start = load_average()
    print(
        f"soak: {plan.duration_s:.0f} s at {plan.rate:g} req/s, {plan.users} people, "
        f"{tweeters} tweeters; load average {load_start}; records in {workdir}",
        flush=True,
    )

    sampler = Sampler(plan.sample_every_s)
    sampler.sample()  # the start: the stack up, people signed in, no load yet
    sampler.start()
    start = time.time()
    try:
        run_locust(plan, stack.web_url, workdir, people)
        end = min(time.time(), start + plan.duration_s)
        drained_s = drain(seconds(args.drain))
    finally:
        sampler.stop()
    load_end = load_average()

    accepted = {int(line) for line in (workdir / "accepted.txt").read_text().split()}
    state = end_state(stack, accepted)
    rows = interval_rows(
        read_requests(workdir / "requests.csv"),
        sampler.queues,
        start=start,
        end=end,
        interval_s=plan.interval_s,
    )
    memory = memory_rows(
        sampler.memory,
        sampler.services,
        start=sampler.memory[0].t,
        warm=start + plan.warmup_s,
        end=end,
        # 30 s of samples make a point; a short run's short warm-up, half of it.
        window_s=min(30.0, max(3 * plan.sample_every_s, plan.warmup_s / 2)),
    )
    result = verdict(
        rows, memory, state, max_growth_pct=plan.max_growth_pct, max_error_rate=plan.max_error_rate
    )
    if state.still_queued:
        result.reasons.append(
            f"{state.still_queued} tweets still queued {drained_s:.0f} s after the load"
        )
    stack_shape = f"docker compose, PostgreSQL, {tweeters} tweeters"
    setup = {
        "stack": f"{stack_shape}, X answering in {args.x_latency_ms} ms",
        "load average at start / end": f"{load_start} / {load_end}",
        "drained after the load in": f"{drained_s:.0f} s",
        "samples missed": sampler.missed,
        "started": datetime.fromtimestamp(start, UTC).isoformat(timespec="seconds"),
    }
    title = f"Soak {stamp}"
    text = markdown(
        title=title, plan=plan, setup=setup, rows=rows, memory=memory, end=state, verdict=result
    )
    print(text)
    (RESULTS / f"soak-{stamp}.md").write_text(text)
    document = as_json(
        plan=plan,
        setup=setup,
        rows=rows,
        memory=memory,
        end=state,
        verdict=result,
        start=start,
        queues=sampler.queues,
        memory_samples=sampler.memory,
    )
    (RESULTS / f"soak-{stamp}.json").write_text(json.dumps(document, indent=2) + "\n")
    print(f"soak: written bench/results/soak-{stamp}.md and .json, records in soak-{stamp}/")
    if plan.duration_s >= CHARTED_RUN_S:
        print(f"soak: chart written to {soak_chart.write(document)}")
    return 0 if result.passed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # locust got the Ctrl-C too; make soak's trap deletes the stack.
        print("soak: interrupted, no report", file=sys.stderr)
        sys.exit(130)
