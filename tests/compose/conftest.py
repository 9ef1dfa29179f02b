"""Tests of the Docker deployment itself: scaling workers, restarting Redis,
stopping workers mid-job, what each image holds.

They run under ``make test-compose`` only, against the stack it started
(TWEETNOW_TEST_COMPOSE=1), and drive it with ``docker compose`` through
tests.support.compose_stack. Anywhere else (``make test``) they are not even
collected.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.compose_stack import TWEETERS, MailDev, scale_tweeters, wait_http_ok
from tests.support.stack import Stack

ENABLED = os.environ.get("TWEETNOW_TEST_COMPOSE") == "1"

if not ENABLED:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def stack() -> Stack:
    web, sandbox = os.environ["TWEETNOW_TEST_WEB_URL"], os.environ["TWEETNOW_TEST_SANDBOX_URL"]
    return Stack(web_url=web.rstrip("/"), sandbox_url=sandbox.rstrip("/"))


@pytest.fixture(scope="session")
def maildev() -> MailDev:
    return MailDev.from_env()


@pytest.fixture(autouse=True)
def clean_stack(stack: Stack) -> Iterator[None]:
    """Each test starts and ends with no injected faults and all tweeters up."""
    stack.clear_faults()
    yield
    stack.clear_faults()
    scale_tweeters(TWEETERS)
    wait_http_ok(f"{stack.web_url}/readyz")
