"""The fault suite: the real processes of the local stack through SIGKILLed workers, a
Redis restart, a locked database, an SMTP outage, and generated API requests.

It runs under ``make test-faults`` only (TWEETNOW_TEST_FAULTS=1); plain ``make test``
does not even collect it. At the end it prints what happened to every accepted
job: accepted, sent, failed with a reason, lost, duplicated (the last two must be 0).
"""

from __future__ import annotations

import os

import pytest

from tests.support.fault_scenarios import OUTCOMES, Outcome

ENABLED = os.environ.get("TWEETNOW_TEST_FAULTS") == "1"

if not ENABLED:
    collect_ignore_glob = ["test_*.py"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not OUTCOMES:
        return
    write = terminalreporter.write_line
    terminalreporter.section("fault suite: what happened to every accepted job")
    for line in Outcome.table(OUTCOMES):
        write(line)
