"""Tests of the Docker deployment itself: scaling workers, restarting Redis,
stopping workers mid-job.

They run under ``make test-compose`` only, against the stack it started
(TWEETNOW_TEST_COMPOSE=1), and drive it with ``docker compose``: the project
and files come from COMPOSE_PROJECT_NAME and COMPOSE_FILE in the environment.
Anywhere else (``make test``) they are not even collected.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator

import pytest
import requests

from tests.support.stack import Stack

ENABLED = os.environ.get("TWEETNOW_TEST_COMPOSE") == "1"

if not ENABLED:
    collect_ignore_glob = ["test_*.py"]

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


@pytest.fixture(scope="session")
def stack() -> Stack:
    web, sandbox = os.environ["TWEETNOW_TEST_WEB_URL"], os.environ["TWEETNOW_TEST_SANDBOX_URL"]
    return Stack(web_url=web.rstrip("/"), sandbox_url=sandbox.rstrip("/"))


@pytest.fixture(autouse=True)
def clean_stack(stack: Stack) -> Iterator[None]:
    """Each test starts and ends with no injected faults and all tweeters up."""
    stack.clear_faults()
    yield
    stack.clear_faults()
    scale_tweeters(TWEETERS)
    wait_http_ok(f"{stack.web_url}/readyz")
