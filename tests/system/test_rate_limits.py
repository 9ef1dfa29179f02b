"""A burst bigger than X's window: the tweeter learns the quota and holds the rest back."""

from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.support.stack import Stack

PER_USER = 100
WINDOW_S = 10
BURST = 300
HELD_BACK = re.compile(r"^held back by X's rate limit until \d\d:\d\d:\d\dZ$")


def sandbox_429s(stack: Stack) -> int:
    r = requests.get(f"{stack.sandbox_url}/_sandbox/stats", timeout=10)
    r.raise_for_status()
    return int(r.json()["errors_by_status"].get("429", 0))


def test_a_burst_waits_for_the_window_and_posts_each_tweet_once(stack: Stack):
    stack.set_faults(rate_limit={"per_user": PER_USER, "per_app": 10_000, "window_s": WINDOW_S})
    dana = stack.sign_in()
    dana.api()  # the token, before the burst
    rejected_before = sandbox_429s(stack)
    texts = [f"burst {i} {uuid.uuid4().hex[:8]}" for i in range(BURST)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(dana.post_tweet, texts))
    assert all(r.status_code == 202 for r in responses), [r.text for r in responses[:3]]
    tweet_ids = [r.json()["tweet"]["id"] for r in responses]

    # While the first window is spent, the others wait and say until when.
    deadline = time.monotonic() + 8
    held: list[str] = []
    while time.monotonic() < deadline and not held:
        for tweet_id in tweet_ids[-20:]:
            error = dana.tweet(tweet_id)["error"] or ""
            if error.startswith("held back"):
                held.append(error)
        time.sleep(0.2)
    assert held and HELD_BACK.match(held[0]), held

    deadline = time.monotonic() + 90  # three windows of 10 s, and room for a loaded machine
    while time.monotonic() < deadline:
        posted = stack.sandbox_tweets(dana.username)
        if len(posted) >= BURST:
            break
        time.sleep(0.5)
    posted_texts = [t["text"] for t in stack.sandbox_tweets(dana.username)]
    assert sorted(posted_texts) == sorted(texts)  # every tweet, once
    assert sandbox_429s(stack) == rejected_before  # no walking into the limit
    statuses = {dana.tweet(i)["status"] for i in tweet_ids[-10:]}
    assert statuses == {"sent"}
