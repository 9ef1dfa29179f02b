"""The fault suite against the compose stack people deploy: PostgreSQL, Redis with its
append-only file, three tweeters. Containers are crashed, cut off, restarted,
stopped and paused while a few hundred tweets (or mails) are on their way.

It runs under ``make test-faults-compose`` only, against the stack it started
(TWEETNOW_TEST_FAULTS_COMPOSE=1); anywhere else it is not even collected. At the
end it prints, per scenario, what happened to every accepted job (accepted,
sent, failed, lost, duplicated) and how long the stack took to recover.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.compose_faults import everything_up, wait_running
from tests.support.compose_stack import TWEETERS, wait_http_ok
from tests.support.fault_scenarios import OUTCOMES, Outcome
from tests.support.stack import Stack

ENABLED = os.environ.get("TWEETNOW_TEST_FAULTS_COMPOSE") == "1"

if not ENABLED:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def stack() -> Stack:
    web, sandbox = os.environ["TWEETNOW_TEST_WEB_URL"], os.environ["TWEETNOW_TEST_SANDBOX_URL"]
    return Stack(web_url=web.rstrip("/"), sandbox_url=sandbox.rstrip("/"))


@pytest.fixture(autouse=True)
def whole_stack(stack: Stack) -> Iterator[None]:
    """Each scenario starts and ends with every service up and no injected X faults."""
    everything_up()
    wait_running("tweeter", TWEETERS)
    wait_http_ok(f"{stack.web_url}/readyz", timeout=120)
    stack.clear_faults()
    yield
    everything_up()
    wait_http_ok(f"{stack.web_url}/readyz", timeout=120)
    stack.clear_faults()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not OUTCOMES:
        return
    terminalreporter.section("compose fault suite: what happened to every accepted job")
    for line in Outcome.table(OUTCOMES):
        terminalreporter.write_line(line)
