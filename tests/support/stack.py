"""An HTTP client for a running tweetnow stack and its X sandbox, as a person or script uses it.

Used by the system tests (processes started by the test run) and the compose
tests (a stack started by docker compose) alike.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

FINAL_JOB_STATES = {"succeeded", "failed", "canceled"}


def http_session() -> requests.Session:
    """A client that, like a browser, retries an idempotent request once when the server
    closed a kept-alive connection just as it was reused."""
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=Retry(total=1, connect=1, read=1, status=0))
    session.mount("http://", adapter)
    return session


@dataclass(frozen=True)
class Stack:
    web_url: str
    sandbox_url: str

    # --- the sandbox ---------------------------------------------------------

    def sandbox_tweets(self, username: str | None = None) -> list[dict]:
        params = {"username": username} if username else None
        r = requests.get(f"{self.sandbox_url}/_sandbox/tweets", params=params, timeout=10)
        r.raise_for_status()
        return r.json()["data"]

    def set_faults(self, **faults: object) -> None:
        r = requests.post(f"{self.sandbox_url}/_sandbox/faults", json=faults, timeout=10)
        r.raise_for_status()

    def clear_faults(self) -> None:
        requests.delete(f"{self.sandbox_url}/_sandbox/faults", timeout=10).raise_for_status()

    def revoke_x_user(self, username: str) -> None:
        url = f"{self.sandbox_url}/_sandbox/users/{username}/revoke"
        requests.post(url, timeout=10).raise_for_status()

    # --- people --------------------------------------------------------------

    def sign_in(
        self,
        username: str | None = None,
        *,
        user_id: str | None = None,
        session: requests.Session | None = None,
    ) -> Person:
        """The whole "Sign in with X" dance with a plain HTTP client (a new one unless
        ``session`` is given), as the X account ``user_id`` when given."""
        username = username or f"user{uuid.uuid4().hex[:10]}"
        session = session or http_session()
        callback = self.approved_callback(session, username, user_id=user_id)
        r = session.get(callback, allow_redirects=False, timeout=10)
        assert r.status_code == 303, (r.status_code, r.text)
        return Person(stack=self, username=username, session=session)

    def approved_callback(
        self,
        session: requests.Session,
        username: str,
        *,
        user_id: str | None = None,
        login: str = "/auth/x/login",
    ) -> str:
        """Start signing in with ``session`` (at ``login``) and approve on X: the callback X
        sends back."""
        r = session.get(f"{self.web_url}{login}", allow_redirects=False, timeout=10)
        assert r.status_code == 303, (r.status_code, r.text)
        params = {"username": username} | ({"user_id": user_id} if user_id else {})
        r = session.get(r.headers["Location"], params=params, allow_redirects=False, timeout=10)
        assert r.status_code in (302, 303), (r.status_code, r.text)
        return r.headers["Location"]


@dataclass
class Person:
    stack: Stack
    username: str
    session: requests.Session
    token: str | None = None
    _api: requests.Session | None = None

    @property
    def csrf(self) -> str:
        return self.session.cookies["csrf_token"]

    def url(self, path: str) -> str:
        return urljoin(self.stack.web_url + "/", path.lstrip("/"))

    def create_token(self, label: str = "tests") -> str:
        r = self.session.post(
            self.url("/api/tokens"),
            json={"label": label},
            headers={"X-CSRF-Token": self.csrf},
            timeout=10,
        )
        assert r.status_code == 201, (r.status_code, r.text)
        self.token = r.json()["token"]
        return self.token

    def api(self) -> requests.Session:
        """A client that authenticates with the API token only (no cookies)."""
        if self._api is None:
            if self.token is None:
                self.create_token()
            self._api = http_session()
            self._api.headers["Authorization"] = f"Bearer {self.token}"
        return self._api

    def connect_x_account(self, username: str) -> dict:
        """Connect the X account ``username`` from the account page: its entry in
        ``GET /api/accounts``."""
        callback = self.stack.approved_callback(
            self.session, username, login="/auth/x/login?intent=connect"
        )
        r = self.session.get(callback, allow_redirects=False, timeout=10)
        assert r.status_code == 303, (r.status_code, r.text)
        assert r.headers["Location"] == f"/account?connected={username}"
        return next(a for a in self.accounts() if a["username"] == username)

    def accounts(self) -> list[dict]:
        r = self.session.get(self.url("/api/accounts"), timeout=10)
        r.raise_for_status()
        return r.json()["data"]

    def post_tweet(self, text: str, **extra: object) -> requests.Response:
        return self.api().post(self.url("/api/tweets"), json={"text": text, **extra}, timeout=10)

    def job(self, job_id: str) -> dict:
        r = self.api().get(self.url(f"/api/jobs/{job_id}"), timeout=10)
        r.raise_for_status()
        return r.json()

    def tweet(self, tweet_id: int) -> dict:
        r = self.api().get(self.url(f"/api/tweets/{tweet_id}"), timeout=10)
        r.raise_for_status()
        return r.json()

    def wait_job(self, job_id: str, *, timeout: float = 30) -> dict:
        """Poll the job like a client would, until it ends."""
        api = self.api()
        deadline = time.monotonic() + timeout
        while True:
            r = api.get(self.url(f"/api/jobs/{job_id}"), timeout=10)
            r.raise_for_status()
            job = r.json()
            if job["status"] in FINAL_JOB_STATES:
                return job
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job['status']} after {timeout}s: {job}")
            time.sleep(0.05)


class PostedTweet(Protocol):
    """A tweet a test posted: who posted it and its text."""

    @property
    def person(self) -> Person: ...

    @property
    def text(self) -> str: ...


def sandbox_counts(stack: Stack, posted: Iterable[PostedTweet]) -> Counter[str]:
    """How many times each of our texts is on "X"."""
    posted = list(posted)
    ours = {p.text for p in posted}
    counts: Counter[str] = Counter()
    for username in {p.person.username for p in posted}:
        counts.update(t["text"] for t in stack.sandbox_tweets(username) if t["text"] in ours)
    return counts
