"""Nothing lost, nothing doubled, on the stack people deploy: each scenario sends a few
hundred tweets (or mails) through the public API while a container is crashed,
cut off, restarted, stopped or paused, then counts what became of every one.

lost = accepted but never sent nor failed; duplicated = on the sandbox (or in
MailDev) more than once. Every scenario must end with both at 0.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.compose_faults import (
    containers,
    crash,
    crash_random,
    disconnect,
    reconnect,
    wait_running,
)
from tests.support.compose_stack import TWEETERS, MailDev, compose, wait_http_ok
from tests.support.fault_scenarios import (
    OUTCOMES,
    Outcome,
    Posted,
    people,
    post_tweets,
    tweet_outcome,
    wait_settled,
)
from tests.support.stack import Person, Stack

PEOPLE = 4
PER_PERSON = 50  # 200 tweets a scenario
#: However the fault ended, every accepted job must be final within this.
SETTLE_S = 180


def during_burst(
    stack: Stack, fault: Callable[[], None], *, name: str, latency_ms: int = 200
) -> tuple[Outcome, float]:
    """Post PEOPLE x PER_PERSON tweets while ``fault`` runs in another thread; wait until
    every accepted one is final; return what became of them and the seconds from the
    fault's end until then."""
    stack.set_faults(latency_ms=latency_ms)
    everyone = people(stack, PEOPLE)
    refused = Outcome(name)
    ended: list[float] = []

    def run_fault() -> None:
        fault()
        ended.append(time.monotonic())

    thread = threading.Thread(target=run_fault, daemon=True)
    thread.start()
    posted = post_tweets(everyone, PER_PERSON, refused, pace_s=0.02)
    thread.join(timeout=300)
    assert ended, "the fault did not end"
    wait_settled(posted, timeout=SETTLE_S)
    recovery = time.monotonic() - ended[0]
    outcome = tweet_outcome(name, stack, posted)
    outcome.refused = refused.refused
    outcome.recovery_s = recovery
    return outcome, recovery


def assert_nothing_lost_or_doubled(outcome: Outcome) -> None:
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome
    assert outcome.sent + outcome.failed_total == outcome.accepted, outcome


@pytest.mark.timeout(600)
def test_tweeter_containers_crashed_during_a_burst(stack: Stack) -> None:
    def crashes() -> None:
        for _ in range(4):
            time.sleep(1.5)
            crash_random("tweeter")
        wait_running("tweeter", TWEETERS)

    outcome, _ = during_burst(stack, crashes, name="4 tweeter containers crashed (kill -9)")
    assert_nothing_lost_or_doubled(outcome)
    assert not outcome.refused, outcome


@pytest.mark.timeout(600)
def test_postgres_restarted_mid_burst(stack: Stack) -> None:
    def restart() -> None:
        time.sleep(1.5)
        compose("restart", "postgres")

    outcome, _ = during_burst(stack, restart, name="postgres restarted")
    assert_nothing_lost_or_doubled(outcome)
    # The web refuses with 503 (nothing written) or holds the request; never a 500.
    assert set(outcome.refused) <= {503}, outcome.refused


@pytest.mark.timeout(600)
def test_redis_restarted_mid_burst(stack: Stack) -> None:
    def restart() -> None:
        time.sleep(1.5)
        compose("restart", "redis")

    outcome, _ = during_burst(stack, restart, name="redis restarted (AOF on)")
    assert_nothing_lost_or_doubled(outcome)
    assert not outcome.refused, "the web accepts while Redis restarts (the outbox)"


@pytest.mark.timeout(600)
def test_a_tweeter_cut_off_from_the_network_while_it_holds_tweets(stack: Stack) -> None:
    """Cut off for longer than the heartbeat timeout (10 s in this stack), its messages go
    to the other two; reconnected, its leases keep it from posting what they posted."""
    victim = containers("tweeter")[0]

    def partition() -> None:
        time.sleep(2)
        disconnect(victim)
        time.sleep(25)
        reconnect(victim)

    outcome, _ = during_burst(
        stack, partition, name="a tweeter cut off 25 s holding tweets", latency_ms=1000
    )
    assert_nothing_lost_or_doubled(outcome)


def post_until_answered(
    person: Person, text: str, deadline_s: float, resent: Counter[str]
) -> requests.Response:
    """POST with one Idempotency-Key, sent again (same key, same body) until the web
    answers something other than a lost connection or a 5xx; ``resent`` counts the
    POSTs sent again."""
    key = str(uuid.uuid4())
    deadline = time.monotonic() + deadline_s
    first = True
    while True:
        if not first:
            resent["posts"] += 1
        first = False
        try:
            r = person.api().post(
                person.url("/api/tweets"),
                json={"text": text},
                headers={"Idempotency-Key": key},
                timeout=10,
            )
            if r.status_code < 500:
                return r
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer for {text!r} within {deadline_s} s")
        time.sleep(0.5)


@pytest.mark.timeout(600)
def test_web_container_crashed_during_a_burst_of_posts_retried_with_a_key(stack: Stack) -> None:
    everyone = people(stack, PEOPLE)
    run = uuid.uuid4().hex[:6]
    name = "web crashed, clients retry with Idempotency-Key"

    def crash_web() -> None:
        time.sleep(1.5)
        crash(containers("web")[0])

    started = threading.Thread(target=crash_web, daemon=True)
    started.start()
    resent: Counter[str] = Counter()

    def one_person(person: Person) -> list[Posted]:
        posted = []
        for i in range(PER_PERSON):
            text = f"keyed {run} {person.username} {i}"
            r = post_until_answered(person, text, deadline_s=120, resent=resent)
            assert r.status_code == 202, (r.status_code, r.text)
            posted.append(Posted(person, r.json()["tweet"]["id"], text))
            time.sleep(0.05)  # the burst lasts past the crash
        return posted

    with ThreadPoolExecutor(PEOPLE) as pool:
        posted = [p for batch in pool.map(one_person, everyone) for p in batch]
    started.join(timeout=60)
    ended = time.monotonic()
    wait_settled(posted, timeout=SETTLE_S)
    recovery = time.monotonic() - ended
    outcome = tweet_outcome(f"{name} ({resent['posts']} POSTs sent again)", stack, posted)
    outcome.recovery_s = recovery
    assert resent["posts"] > 0, "the crash hit no POST: nothing was retried"
    assert_nothing_lost_or_doubled(outcome)
    # One row per key: the retried POSTs created no second tweet.
    rows: Counter[str] = Counter()
    for person in everyone:
        listed = person.api().get(person.url("/api/tweets?limit=100"), timeout=10).json()
        rows.update(t["text"] for t in listed["data"])
    assert set(rows.values()) == {1}, [t for t, n in rows.items() if n > 1]
    assert len(rows) == len(posted)


@pytest.mark.timeout(600)
def test_maildev_stopped_60_s_while_mail_is_sent(stack: Stack) -> None:
    maildev = MailDev.from_env()
    everyone = people(stack, 2)
    run = uuid.uuid4().hex[:6]
    name = "MailDev stopped 60 s"
    compose("stop", "maildev")
    stopped_at = time.monotonic()
    sent: list[tuple[Person, int, str]] = []
    for i in range(40):
        person = everyone[i % len(everyone)]
        address = f"friend-{run}-{i}@example.com"
        r = person.api().post(
            person.url("/api/thoughts"),
            json={"email": address, "thought": f"thought {i}"},
            timeout=10,
        )
        assert r.status_code == 202, (r.status_code, r.text)
        sent.append((person, r.json()["mail"]["id"], address))
    time.sleep(max(0.0, 60 - (time.monotonic() - stopped_at)))
    compose("start", "maildev")
    wait_http_ok(f"{maildev.url}/email", timeout=60)
    ended = time.monotonic()
    outcome = Outcome(name, accepted=len(sent))
    deadline = ended + SETTLE_S
    pending = list(sent)
    while pending and time.monotonic() < deadline:
        pending = [
            (person, mail_id, address)
            for person, mail_id, address in pending
            if person.api().get(person.url(f"/api/mail/{mail_id}"), timeout=10).json()["status"]
            not in ("sent", "failed")
        ]
        if pending:
            time.sleep(1)
    outcome.recovery_s = time.monotonic() - ended
    for person, mail_id, address in sent:
        mail = person.api().get(person.url(f"/api/mail/{mail_id}"), timeout=10).json()
        outcome.tally(mail["status"], mail["error"], len(maildev.mails_to(address)))
    OUTCOMES.append(outcome)
    assert_nothing_lost_or_doubled(outcome)


@pytest.mark.timeout(600)
def test_the_whole_stack_paused_35_s_while_tweets_are_posted(stack: Stack) -> None:
    """``docker compose pause`` freezes every container, as a VM's pause or a laptop's
    suspend does; after it every tweet goes out within a minute and no job reads
    ``running`` with no worker behind it."""
    stack.set_faults(latency_ms=1500)
    everyone = people(stack, PEOPLE)
    refused = Outcome("whole stack paused 35 s")
    posted = post_tweets(everyone, PER_PERSON, refused, pace_s=0.0)
    time.sleep(1)  # tweets are on their way: each post takes 1.5 s
    compose("pause")
    time.sleep(35)
    compose("unpause")
    resumed = time.monotonic()
    wait_settled(posted, timeout=60)
    recovery = time.monotonic() - resumed
    outcome = tweet_outcome("whole stack paused 35 s", stack, posted)
    outcome.refused = refused.refused
    outcome.recovery_s = recovery
    assert_nothing_lost_or_doubled(outcome)
    assert recovery < 60, f"not every tweet final within a minute of resuming: {outcome}"
    jobs = [p.person.job(p.person.tweet(p.tweet_id)["job_id"]) for p in posted]
    assert not [j for j in jobs if j["status"] == "running"], "a job reads running after all"
