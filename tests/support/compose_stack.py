"""Driving the stack `make test-compose` started: ``docker compose`` for the test
project, and the MailDev that catches what its mailer sends.

The project and files come from COMPOSE_PROJECT_NAME and COMPOSE_FILE in the
environment, MailDev's published web port from TWEETNOW_TEST_MAILDEV_URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass

import requests

#: How many tweeter containers `make test-compose` starts, and tests leave running.
TWEETERS = 3


def compose(*args: str, timeout: float = 180) -> str:
    """Run ``docker compose ARGS`` for the test project; return its stdout."""
    done = subprocess.run(
        ["docker", "compose", *args], capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise AssertionError(
            f"docker compose {' '.join(args)} exited {done.returncode}:\n{done.stderr}"
        )
    return done.stdout


def job_workers(job_ids: list[str]) -> list[str]:
    """The worker (host:pid) that ran each job, read from its job record in Redis the way
    the admin dashboard reads it: the API does not show it to people."""
    keys = " ".join(f"tweetnow:job:{job_id}" for job_id in job_ids)
    script = f"for key in {keys}; do redis-cli HGET $key worker; done"
    return compose("exec", "-T", "redis", "sh", "-c", script).split()


def scale(service: str, n: int) -> None:
    """Run exactly n containers of a service (scaling down stops the extra ones gracefully)."""
    compose(
        "up",
        "--detach",
        "--wait",
        "--no-deps",
        "--no-recreate",
        "--scale",
        f"{service}={n}",
        service,
    )
    running = compose("ps", "--quiet", "--status", "running", service).split()
    assert len(running) == n, running


def scale_tweeters(n: int) -> None:
    scale("tweeter", n)


def wait_http_ok(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} not 200 after {timeout}s")
        time.sleep(0.2)


def container_states(service: str) -> list[dict]:
    """`docker compose ps --all` as JSON (one object per line; older compose: one list)."""
    out = compose("ps", "--all", "--format", "json", service).strip()
    if out.startswith("["):
        return json.loads(out)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@dataclass(frozen=True)
class MailDev:
    """The stack's mail catcher, read through its REST API."""

    url: str

    @classmethod
    def from_env(cls) -> MailDev:
        return cls(url=os.environ["TWEETNOW_TEST_MAILDEV_URL"].rstrip("/"))

    def mails_to(self, address: str) -> list[dict]:
        r = requests.get(f"{self.url}/email", timeout=10)
        r.raise_for_status()
        return [m for m in r.json() if any(to["address"] == address for to in m["to"])]

    def wait_for(self, address: str, timeout: float = 60) -> dict:
        """The first mail to `address`, once it has arrived."""
        deadline = time.monotonic() + timeout
        while not (mails := self.mails_to(address)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no mail to {address} after {timeout}s")
            time.sleep(0.2)
        return mails[0]
