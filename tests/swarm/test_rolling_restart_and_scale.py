"""Swarm operations while tweets flow: a rolling restart of the tweeters
(`docker service update --force`) and a scale-up (`docker service scale`)
neither lose nor duplicate a tweet."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from dataclasses import dataclass

import pytest
import requests

from tests.support.stack import Person, Stack, sandbox_counts

TWEETS = 60
USERS = 3
SCALE_TO = 5


@dataclass(frozen=True)
class Posted:
    person: Person
    text: str
    tweet_id: int


def docker(*args: str, timeout: float = 600) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return done.stdout


def running_tasks(service: str) -> list[str]:
    """The ids of the service's tasks that should run and do."""
    out = docker(
        "service", "ps", service, "--filter", "desired-state=running", "--format",
        "{{.ID}} {{.CurrentState}}",
    )  # fmt: skip
    return [line.split()[0] for line in out.splitlines() if " Running " in f" {line} "]


class Poster(threading.Thread):
    """Posts TWEETS tweets, one every `every` seconds, round-robin over `people`."""

    def __init__(self, people: list[Person], every: float) -> None:
        super().__init__(daemon=True)
        self.people, self.every = people, every
        self.posted: list[Posted] = []
        self.errors: list[str] = []
        self.run_id = uuid.uuid4().hex[:8]

    def run(self) -> None:
        for i in range(TWEETS):
            person = self.people[i % len(self.people)]
            text = f"swarm {self.run_id} #{i}"
            try:
                r = person.post_tweet(text)
                if r.status_code == 202:
                    self.posted.append(Posted(person, text, r.json()["tweet"]["id"]))
                else:
                    self.errors.append(f"{text}: {r.status_code} {r.text[:200]}")
            except requests.RequestException as exc:
                self.errors.append(f"{text}: {exc}")
            time.sleep(self.every)


def wait_all_sent(stack: Stack, posted: list[Posted], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = list(posted)
    while pending:
        still = []
        for p in pending:
            try:
                status = p.person.tweet(p.tweet_id)["status"]
            except requests.RequestException:
                status = "unknown"
            assert status != "failed", p.person.tweet(p.tweet_id)
            if status != "sent":
                still.append(p)
        pending = still
        if pending and time.monotonic() > deadline:
            raise TimeoutError(f"{len(pending)} of {len(posted)} tweets not sent after {timeout}s")
        if pending:
            time.sleep(1)


@pytest.mark.timeout(1200)
def test_sixty_tweets_each_posted_once_through_a_rolling_restart_and_a_scale_up(
    stack: Stack, stack_name: str, capsys: pytest.CaptureFixture[str]
):
    tweeter = f"{stack_name}_tweeter"
    people = [stack.sign_in() for _ in range(USERS)]
    for person in people:
        person.api()  # mint the API tokens before the clock starts
    before = set(running_tasks(tweeter))
    assert len(before) == 3, before

    # X at 3 s a post, 3 tweeters of 2 threads and a tweet every 0.5 s: about as
    # many arrive as are posted, so jobs are in flight and queued all through the
    # restart, whose tasks stop while they hold work.
    stack.set_faults(latency_ms=3000)
    started = time.monotonic()
    poster = Poster(people, every=0.5)
    poster.start()
    while len(poster.posted) < 10 and poster.is_alive():
        time.sleep(0.1)

    on_x_at_restart = len(sandbox_counts(stack, poster.posted))
    posted_at_restart = len(poster.posted)
    t = time.monotonic()
    docker("service", "update", "--force", "--quiet", "--detach=false", tweeter)
    restart_s = time.monotonic() - t
    on_x_after_restart = len(sandbox_counts(stack, poster.posted))
    after_restart = set(running_tasks(tweeter))
    assert len(after_restart) == 3 and not after_restart & before, (before, after_restart)

    t = time.monotonic()
    docker("service", "scale", "--detach=false", f"{tweeter}={SCALE_TO}")
    scale_s = time.monotonic() - t
    assert len(running_tasks(tweeter)) == SCALE_TO

    poster.join(timeout=300)
    assert not poster.is_alive(), "the poster did not finish"
    assert not poster.errors, poster.errors
    assert len(poster.posted) == TWEETS

    wait_all_sent(stack, poster.posted, timeout=600)
    total_s = time.monotonic() - started
    stack.clear_faults()

    counts = sandbox_counts(stack, poster.posted)
    missing = [p.text for p in poster.posted if counts[p.text] == 0]
    twice = {text: n for text, n in counts.items() if n > 1}
    assert not missing, f"never posted: {missing}"
    assert not twice, f"posted more than once: {twice}"
    # The restart happened while tweets flowed: some were waiting when it began,
    # and some reached X while it went on.
    assert on_x_at_restart < posted_at_restart, "nothing was waiting when the restart began"
    assert on_x_after_restart > on_x_at_restart, "nothing was posted during the restart"

    with capsys.disabled():
        print(
            f"\nswarm: {TWEETS} of {TWEETS} tweets on X exactly once; rolling restart of 3 "
            f"tweeters {restart_s:.1f} s (began with {posted_at_restart - on_x_at_restart} "
            f"waiting, {on_x_after_restart - on_x_at_restart} posted during it); scale to "
            f"{SCALE_TO} {scale_s:.1f} s; first post to last on X {total_s:.1f} s"
        )
