"""Done: from POST /api/tweets to the tweet being on "X" (the sandbox's created_at)."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime

from bench.stats import latency_summary
from tests.support.stack import Person, Stack


def _created(stack: Stack, person: Person, text: str) -> float:
    while True:
        for t in stack.sandbox_tweets(person.username):
            if t["text"] == text:
                return datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")).timestamp()
        time.sleep(0.003)


def post_to_done(stack: Stack, samples: int, pause_s: float) -> dict[str, float]:
    person = stack.sign_in(f"done{uuid.uuid4().hex[:8]}")
    api = person.api()
    durations = []
    for i in range(samples):
        time.sleep(pause_s)
        text = f"done {uuid.uuid4().hex[:8]} {i}"
        t0 = time.time()
        r = api.post(person.url("/api/tweets"), json={"text": text}, timeout=10)
        assert r.status_code == 202, r.text
        durations.append((_created(stack, person, text) - t0) * 1000)
    return latency_summary(durations)


def run(stack: Stack, samples: int, load_per_s: float) -> dict[str, object]:
    idle = post_to_done(stack, samples, pause_s=0.1)
    # The same, while another person posts a steady load_per_s tweets a second.
    stop = threading.Event()
    background = stack.sign_in(f"load{uuid.uuid4().hex[:8]}")
    sent = [0]

    def steady() -> None:
        api = background.api()
        while not stop.wait(1 / load_per_s):
            api.post(background.url("/api/tweets"), json={"text": uuid.uuid4().hex}, timeout=10)
            sent[0] += 1

    thread = threading.Thread(target=steady, daemon=True)
    thread.start()
    try:
        time.sleep(1)
        loaded = post_to_done(stack, samples // 2, pause_s=0.1)
    finally:
        stop.set()
        thread.join(10)
    return {"idle": idle, "under_load": {**loaded, "background_tweets_per_s": load_per_s}}
