"""The Docker deployment under load and under operations: several tweeter
containers share the work, and neither a Redis restart nor stopping the
workers mid-job loses or duplicates a tweet."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests

from tests.support.compose_stack import (
    TWEETERS,
    MailDev,
    compose,
    container_states,
    job_workers,
    scale,
    scale_tweeters,
    wait_http_ok,
)
from tests.support.stack import Person, Stack, sandbox_counts

USERS = 3  # the burst is spread over a few accounts, as real traffic is


@dataclass(frozen=True)
class Posted:
    person: Person
    text: str
    tweet_id: int
    job_id: str


def post_burst(people: list[Person], count: int, tag: str) -> list[Posted]:
    """Post `count` tweets at once (round-robin over `people`); all must be accepted."""
    run = uuid.uuid4().hex[:8]
    jobs = [(people[i % len(people)], f"{tag} {run} #{i}") for i in range(count)]
    for person in people:
        person.api()  # mint the API tokens before the clock starts

    def post(job: tuple[Person, str]) -> Posted:
        person, text = job
        r = person.post_tweet(text)
        assert r.status_code == 202, (r.status_code, r.text)
        body = r.json()
        return Posted(person, text, body["tweet"]["id"], body["job"]["id"])

    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(post, jobs))


def wait_all_on_x(stack: Stack, posted: list[Posted], timeout: float) -> float:
    """Wait until every text is on the sandbox; return the seconds it took."""
    start = time.monotonic()
    while True:
        try:
            if len(sandbox_counts(stack, posted)) == len(posted):
                return time.monotonic() - start
        except requests.RequestException:
            pass
        if time.monotonic() - start > timeout:
            missing = {p.text for p in posted} - set(sandbox_counts(stack, posted))
            raise TimeoutError(f"{len(missing)} of {len(posted)} not on X after {timeout}s")
        time.sleep(0.1)


def tweet_status(p: Posted) -> str:
    return p.person.tweet(p.tweet_id)["status"]


def wait_all_sent(posted: list[Posted], timeout: float) -> None:
    """Poll each tweet's domain status (the database) until all are `sent`.

    Tolerates the web service answering errors for a moment (Redis restarting).
    """
    deadline = time.monotonic() + timeout
    pending = list(posted)
    while pending:
        still = []
        for p in pending:
            try:
                status = tweet_status(p)
            except requests.RequestException:
                status = "unknown"
            assert status != "failed", p.person.tweet(p.tweet_id)
            if status != "sent":
                still.append(p)
        pending = still
        if pending and time.monotonic() > deadline:
            states = Counter(tweet_status(p) for p in pending)
            raise TimeoutError(f"{len(pending)} tweets not sent after {timeout}s: {states}")
        if pending:
            time.sleep(0.5)


def assert_each_on_x_once(stack: Stack, posted: list[Posted]) -> None:
    counts = sandbox_counts(stack, posted)
    missing = [p.text for p in posted if counts[p.text] == 0]
    twice = {text: n for text, n in counts.items() if n > 1}
    assert not missing, f"never posted: {missing}"
    assert not twice, f"posted more than once: {twice}"


def tweeter_hostnames() -> set[str]:
    """Container hostnames default to the first 12 hex digits of the container id."""
    return {cid[:12] for cid in compose("ps", "--quiet", "tweeter").split()}


def burst(stack: Stack, people: list[Person], tweeters: int) -> tuple[float, Counter[str]]:
    """60 tweets at once with the sandbox at 300 ms a post; returns (seconds, posts per host)."""
    scale_tweeters(tweeters)
    hosts = tweeter_hostnames()
    stack.set_faults(latency_ms=300)
    start = time.monotonic()
    posted = post_burst(people, 60, f"burst with {tweeters} tweeters")
    wait_all_on_x(stack, posted, timeout=120)
    took = time.monotonic() - start

    jobs = [p.person.wait_job(p.job_id, timeout=30) for p in posted]
    assert [j["status"] for j in jobs] == ["succeeded"] * len(jobs), jobs
    assert_each_on_x_once(stack, posted)
    assert {tweet_status(p) for p in posted} == {"sent"}
    per_host = Counter(w.rsplit(":", 1)[0] for w in job_workers([p.job_id for p in posted]))
    assert set(per_host) <= hosts, (per_host, hosts)
    return took, per_host


def test_sixty_tweets_are_spread_over_three_tweeters_each_posted_once(
    stack: Stack, capsys: pytest.CaptureFixture[str]
):
    people = [stack.sign_in() for _ in range(USERS)]

    took_3, per_host_3 = burst(stack, people, TWEETERS)
    assert len(per_host_3) >= 2, f"one container did all the work: {per_host_3}"

    took_1, per_host_1 = burst(stack, people, 1)
    assert len(per_host_1) == 1

    with capsys.disabled():
        print(
            f"\n60 tweets at 300 ms each: {took_1:.2f} s with 1 tweeter, "
            f"{took_3:.2f} s with {TWEETERS} tweeters "
            f"(per container: {sorted(per_host_3.values(), reverse=True)})"
        )


@pytest.mark.timeout(300)  # recovery may wait for the sweeper's next tick
def test_queued_tweets_survive_a_redis_restart(stack: Stack, capsys: pytest.CaptureFixture[str]):
    people = [stack.sign_in() for _ in range(USERS)]
    # Slow X: most of the 60 are still queued in Redis when it goes down.
    stack.set_faults(latency_ms=1500)
    posted = post_burst(people, 60, "redis restart")
    on_x_before = len(sandbox_counts(stack, posted))
    assert on_x_before < len(posted), "all were sent before the restart: nothing was tested"

    start = time.monotonic()
    compose("restart", "redis")
    wait_http_ok(f"{stack.web_url}/readyz")
    back_in = time.monotonic() - start

    wait_all_sent(posted, timeout=240)
    assert_each_on_x_once(stack, posted)
    with capsys.disabled():
        print(
            f"\nredis restart: {len(posted) - on_x_before} of {len(posted)} tweets were "
            f"waiting; redis back in {back_in:.1f} s; all sent once"
        )


def test_stopping_the_tweeters_mid_job_loses_nothing(
    stack: Stack, capsys: pytest.CaptureFixture[str]
):
    people = [stack.sign_in() for _ in range(USERS)]
    stack.set_faults(latency_ms=2000)
    posted = post_burst(people, 40, "stop tweeter")

    # Until a job is on the wire to X.
    deadline = time.monotonic() + 20
    while not any(p.person.job(p.job_id)["status"] == "running" for p in posted):
        assert time.monotonic() < deadline, "no job started"
        time.sleep(0.1)

    start = time.monotonic()
    compose("stop", "tweeter", timeout=300)
    stopped_in = time.monotonic() - start
    on_x_when_stopped = len(sandbox_counts(stack, posted))

    # Graceful: each container exited by itself (0), not killed at the grace period's end.
    states = container_states("tweeter")
    assert states and all(s["State"] == "exited" for s in states), states
    assert {s["ExitCode"] for s in states} == {0}, states

    scale_tweeters(TWEETERS)
    wait_all_sent(posted, timeout=180)
    assert_each_on_x_once(stack, posted)
    jobs = [p.person.wait_job(p.job_id, timeout=30) for p in posted]
    assert {j["status"] for j in jobs} == {"succeeded"}, Counter(j["status"] for j in jobs)
    with capsys.disabled():
        print(
            f"\ndocker compose stop tweeter took {stopped_in:.1f} s; {on_x_when_stopped} of "
            f"{len(posted)} were on X then, the rest after the restart; all sent once"
        )


def send_thought_and_see_it_arrive(person: Person, maildev: MailDev) -> None:
    to = f"thought-{uuid.uuid4().hex[:10]}@example.com"
    r = person.api().post(
        person.url("/api/thoughts"), json={"email": to, "thought": "still here"}, timeout=10
    )
    assert r.status_code == 202, (r.status_code, r.text)
    mail = maildev.wait_for(to)
    assert mail["subject"] == f"A thought from @{person.username}: still here"


def test_the_mailer_scales_too_and_mail_still_arrives(stack: Stack, maildev: MailDev):
    person = stack.sign_in()
    scale("mailer", 2)
    send_thought_and_see_it_arrive(person, maildev)
    scale("mailer", 1)
    send_thought_and_see_it_arrive(person, maildev)
