"""The database locked for longer than its busy timeout, while tweets are posted and sent.

The local stack uses SQLite (PostgreSQL only in compose), and a SQLite file cannot
be "restarted": instead another process holds its write lock (BEGIN EXCLUSIVE) for
7 s, longer than the 5 s busy timeout. Requests that cannot write are refused
(never accepted); workers that cannot write retry. Nothing accepted may be lost or
posted twice.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from tests.support.fault_scenarios import Outcome, people, post_tweets, tweet_outcome, wait_settled
from tests.support.local_stack import LocalStack
from tests.support.stack import Stack

LOCK_S = 7


@pytest.mark.timeout(180)
def test_a_locked_database_loses_nothing_and_posts_nothing_twice(
    stack: Stack, local: LocalStack
) -> None:
    path = local.env["DATABASE_URL"].removeprefix("sqlite:///")
    everyone = people(stack, 4)
    name = f"SQLite write-locked {LOCK_S} s"
    refused = Outcome(name)
    locked = threading.Event()

    def hold_lock() -> None:
        time.sleep(1)
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(LOCK_S)
        db.execute("ROLLBACK")
        db.close()

    holder = threading.Thread(target=hold_lock, daemon=True)
    holder.start()
    posted = post_tweets(everyone, 15, refused, pace_s=0.4)
    holder.join(timeout=60)
    assert locked.is_set()
    wait_settled(posted, timeout=90)
    time.sleep(2)
    outcome = tweet_outcome(name, stack, posted)
    outcome.refused = refused.refused
    assert all(code == 503 for code in refused.refused), refused.refused
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome
    assert outcome.sent == outcome.accepted, outcome
