"""Client traffic for the fault scenarios: many people posting, then waiting for the end."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.faults.ledger import Outcome, Posted
from tests.support.stack import Person, Stack

FINAL_TWEET_STATES = {"sent", "failed", "canceled"}


def people(stack: Stack, n: int) -> list[Person]:
    found = [stack.sign_in() for _ in range(n)]
    for person in found:
        person.create_token()
    return found


def post_tweets(
    everyone: list[Person], per_person: int, outcome: Outcome, *, pace_s: float = 0.0
) -> list[Posted]:
    """Each person posts ``per_person`` tweets in its own thread, ``pace_s`` apart.
    A request the web refuses (not 202) is counted, never retried: it was not accepted."""
    run = uuid.uuid4().hex[:6]

    def one_person(person: Person) -> list[Posted]:
        posted = []
        for i in range(per_person):
            text = f"fault {run} {person.username} {i}"
            try:
                r = person.post_tweet(text)
            except requests.RequestException:
                outcome.refused[0] += 1
                continue
            if r.status_code == 202:
                posted.append(Posted(person, r.json()["tweet"]["id"], text))
            else:
                outcome.refused[r.status_code] += 1
            time.sleep(pace_s)
        return posted

    with ThreadPoolExecutor(len(everyone)) as pool:
        return [p for batch in pool.map(one_person, everyone) for p in batch]


def wait_settled(posted: list[Posted], *, timeout: float) -> None:
    """Until every accepted tweet's row is final, or the timeout (the outcome says what is not)."""
    pending = list(posted)
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(8) as pool:
        while pending and time.monotonic() < deadline:
            rows = list(pool.map(lambda p: p.person.tweet(p.tweet_id), pending))
            pending = [
                p
                for p, row in zip(pending, rows, strict=True)
                if row["status"] not in FINAL_TWEET_STATES
            ]
            if pending:
                time.sleep(1)
