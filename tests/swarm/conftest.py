"""Tests of the Docker Swarm stack (deploy/swarm/stack.yml).

They run under ``make test-swarm`` only (tests/swarm/run.sh deploys the stack
and sets TWEETNOW_TEST_SWARM=1); anywhere else they are not even collected.
"""

from __future__ import annotations

import os

import pytest

from tests.support.stack import Stack

ENABLED = os.environ.get("TWEETNOW_TEST_SWARM") == "1"

if not ENABLED:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def stack() -> Stack:
    return Stack(
        web_url=f"http://localhost:{os.environ['TWEETNOW_TEST_WEB_PORT']}",
        sandbox_url=f"http://localhost:{os.environ['TWEETNOW_TEST_SANDBOX_PORT']}",
    )


@pytest.fixture(scope="session")
def stack_name() -> str:
    return os.environ["SWARM_TEST_STACK"]
