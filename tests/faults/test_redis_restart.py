"""Redis stopped and restarted while tweets are being posted and sent.

Redis runs with AOF (as in the stack), so what it held comes back; tweets accepted
while it was down wait as `queued` rows and the outbox sweeper (run by the
scheduler every minute) sends them; workers reconnect by themselves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.support.fault_scenarios import Outcome, people, post_tweets, tweet_outcome, wait_settled
from tests.support.local_stack import LocalStack
from tests.support.stack import Stack

DOWN_S = 4


@pytest.fixture
def scheduler(local: LocalStack) -> Iterator[LocalStack]:
    proc = local.start_scheduler()
    yield local
    proc.stop()
    local.schedulers.remove(proc)


@pytest.mark.timeout(240)
def test_redis_restart_mid_run_loses_nothing_and_sends_nothing_twice(
    stack: Stack, scheduler: LocalStack
) -> None:
    everyone = people(stack, 5)
    name = f"Redis down {DOWN_S} s mid-run"
    refused = Outcome(name)

    def outage() -> None:
        time.sleep(2)
        scheduler.redis.process.stop()
        time.sleep(DOWN_S)
        scheduler.redis.process.start()
        scheduler.redis.wait_ready()

    restart = threading.Thread(target=outage, daemon=True)
    restart.start()
    posted = post_tweets(everyone, 20, refused, pace_s=0.3)
    restart.join(timeout=60)
    # Rows accepted while Redis was down go at the sweeper's next minute tick.
    wait_settled(posted, timeout=150)
    time.sleep(2)
    outcome = tweet_outcome(name, stack, posted)
    outcome.refused = refused.refused
    assert not refused.refused, "the web must accept while Redis is down (outbox)"
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome
    assert outcome.sent == outcome.accepted == 100, outcome
