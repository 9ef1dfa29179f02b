"""The soak's traffic, run by locust (``python -m bench.soak`` starts it headless).

Each user is one person, signed in beforehand (the people file: username, API token,
session cookie), sending the mix below at a steady rate (``constant_throughput``):
posting tweets (one in ten with an ``Idempotency-Key``, sent twice: the second must be
the first answer replayed), polling its jobs until they end, listing its tweets,
reading its own details, and loading the compose and My tweets pages with its session.

Every request is appended to the request log (end time, name, ms, expected answer or
not), every accepted tweet's id to the accepted file; the report is made from those.
"""

from __future__ import annotations

import itertools
import json
import os
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant_throughput, events, task

PEOPLE: list[dict[str, str]] = json.loads(Path(os.environ["SOAK_PEOPLE_FILE"]).read_text())
RATE_PER_USER = float(os.environ["SOAK_RATE_PER_USER"])
FINAL_JOB_STATES = {"succeeded", "failed", "canceled"}
RUN = uuid.uuid4().hex[:6]

# Open for the whole run, flushed when locust quits.
_log = open(os.environ["SOAK_REQUEST_LOG"], "a", buffering=1 << 16)  # noqa: SIM115
_accepted = open(os.environ["SOAK_ACCEPTED_LOG"], "a", buffering=1 << 12)  # noqa: SIM115
_people = itertools.count()


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, **_: Any) -> None:
    _log.write(f"{time.time():.3f},{name},{response_time:.1f},{0 if exception else 1}\n")


@events.quitting.add_listener
def _flush(**_: Any) -> None:
    _log.flush()
    _accepted.flush()


class Person(FastHttpUser):
    wait_time = constant_throughput(RATE_PER_USER)
    # One connection per user, kept alive, as a client of the API keeps one.
    concurrency = 1

    def on_start(self) -> None:
        me = PEOPLE[next(_people) % len(PEOPLE)]
        self.username = me["username"]
        self.api = {"Authorization": f"Bearer {me['token']}"}
        self.browser = {"Cookie": me["cookie"]}
        self.jobs: deque[str] = deque(maxlen=50)
        self.posted = 0

    def _post(self, text: str, key: str | None, name: str) -> dict | None:
        headers = dict(self.api)
        if key:
            headers["Idempotency-Key"] = key
        with self.client.post(
            "/api/tweets", json={"text": text}, headers=headers, name=name, catch_response=True
        ) as r:
            if r.status_code != 202:
                r.failure(f"{r.status_code}: {(r.text or '')[:200]}")
                return None
            body = r.json()
            r.success()
            return body

    @task(30)
    def post_tweet(self) -> None:
        self.posted += 1
        text = f"soak {RUN} {self.username} {self.posted}: steady traffic {uuid.uuid4().hex[:8]}"
        key = str(uuid.uuid4()) if self.posted % 10 == 0 else None
        first = self._post(text, key, "POST /api/tweets")
        if first is None:
            return
        _accepted.write(f"{first['tweet']['id']}\n")
        self.jobs.append(first["job"]["url"])
        if key:
            # The same request again, as a client does that got no answer: nothing new.
            with self.client.post(
                "/api/tweets",
                json={"text": text},
                headers={**self.api, "Idempotency-Key": key},
                name="POST /api/tweets (same key again)",
                catch_response=True,
            ) as r:
                if r.status_code != 202 or r.headers.get("Idempotent-Replayed") != "true":
                    replayed = r.headers.get("Idempotent-Replayed")
                    r.failure(f"not replayed: {r.status_code}, Idempotent-Replayed {replayed}")
                elif r.json()["tweet"]["id"] != first["tweet"]["id"]:
                    r.failure("a second tweet for the same key")
                else:
                    r.success()

    @task(30)
    def poll_job(self) -> None:
        if not self.jobs:
            return
        url = self.jobs[0]
        name = "GET /api/jobs/{id}"
        with self.client.get(url, headers=self.api, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
                return
            r.success()
            if r.json()["status"] in FINAL_JOB_STATES:
                self.jobs.popleft()
            else:
                self.jobs.rotate(-1)

    @task(15)
    def list_tweets(self) -> None:
        self.client.get("/api/tweets?limit=20", headers=self.api, name="GET /api/tweets")

    @task(5)
    def me(self) -> None:
        self.client.get("/api/me", headers=self.api, name="GET /api/me")

    def _page(self, path: str, name: str) -> None:
        with self.client.get(
            path, headers=self.browser, name=name, allow_redirects=False, catch_response=True
        ) as r:
            # Signed in, the page names the person; signed out it would not.
            if r.status_code == 200 and self.username in (r.text or ""):
                r.success()
            else:
                r.failure(f"{r.status_code}, not the signed-in page")

    @task(10)
    def compose_page(self) -> None:
        self._page("/", "GET / (compose page)")

    @task(10)
    def my_tweets_page(self) -> None:
        self._page("/tweets", "GET /tweets (My tweets page)")
