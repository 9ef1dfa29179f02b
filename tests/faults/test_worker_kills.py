"""500 tweets while tweeter processes are SIGKILLed at random moments and restarted.

Three tweeters run; a seeded chaos thread kills one (its whole process group, mid-post
or idle) every 0.5-3 s, ten times, and starts a new one each time. The sandbox takes
50 ms per post so kills land inside requests to X. A killed worker's messages come
back once its heartbeat is older than HEARTBEAT_TIMEOUT_MS (3 s in the test stack).
"""

from __future__ import annotations

import os
import random
import threading
import time

import pytest

from tests.support.fault_scenarios import Outcome, people, post_tweets, tweet_outcome, wait_settled
from tests.support.local_stack import LocalStack
from tests.support.stack import Stack

TWEETS = 500
PEOPLE = 10
KILLS = 10
TWEETERS = 3
SEED = int(os.environ.get("TWEETNOW_FAULT_SEED", "20240607"))


def chaos(local: LocalStack, rng: random.Random, stop: threading.Event, log: list[str]) -> None:
    for n in range(KILLS):
        if stop.wait(rng.uniform(0.5, 3.0)):
            return
        victim = rng.choice(local.tweeters)
        victim.kill()  # SIGKILL to the process group: no shutdown, no requeue
        victim.popen.wait(5)
        local.tweeters.remove(victim)
        log.append(f"kill {n + 1}: {victim.name} at {time.strftime('%X')}")
        local.start_tweeter()


@pytest.mark.timeout(300)
def test_500_tweets_through_random_sigkills_each_posted_exactly_once(
    stack: Stack, local: LocalStack
) -> None:
    while len(local.tweeters) < TWEETERS:
        local.start_tweeter()
    stack.set_faults(latency_ms=50)
    rng = random.Random(SEED)
    everyone = people(stack, PEOPLE)
    outcome_name = f"SIGKILL tweeters x{KILLS} (seed {SEED})"
    stop, log = threading.Event(), []
    killer = threading.Thread(target=chaos, args=(local, rng, stop, log), daemon=True)
    killer.start()
    try:
        refused = Outcome(outcome_name)
        posted = post_tweets(everyone, TWEETS // PEOPLE, refused, pace_s=0.15)
        killer.join(timeout=60)
    finally:
        stop.set()
        killer.join(timeout=60)
    wait_settled(posted, timeout=150)
    stack.clear_faults()
    time.sleep(2)  # a duplicate post would show up now
    outcome = tweet_outcome(outcome_name, stack, posted)
    outcome.refused = refused.refused
    print("\n".join(log))
    assert len(log) == KILLS
    assert outcome.accepted == TWEETS
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome
    assert outcome.sent == TWEETS, outcome
