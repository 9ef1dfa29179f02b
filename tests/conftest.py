"""Fixtures every test folder may use: a real redis-server on a free loopback port, and
the system under test (tests.support.local_stack), started once per session for the
system, browser and fault tests.

With TWEETNOW_TEST_WEB_URL and TWEETNOW_TEST_SANDBOX_URL set, the same tests run
against a stack started elsewhere (docker compose); tests that need the
``local`` fixture skip then, since they kill and restart processes of their own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest
import redis

from tests.support.local_stack import LocalStack
from tests.support.processes import RedisServer
from tests.support.stack import Stack

EXTERNAL_WEB = os.environ.get("TWEETNOW_TEST_WEB_URL")
EXTERNAL_SANDBOX = os.environ.get("TWEETNOW_TEST_SANDBOX_URL")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    external = os.environ.get("TWEETNOW_TEST_REDIS_URL")
    if external:
        yield RedisServer.external(external)
        return
    server = RedisServer.start(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack | None]:
    if EXTERNAL_WEB:
        yield None
        return
    stack = LocalStack.start(tmp_path_factory.mktemp("stack"))
    try:
        yield stack
    finally:
        stack.stop()
        if os.environ.get("TWEETNOW_TEST_SHOW_LOGS"):
            sys.stderr.write(stack.logs())


@pytest.fixture(scope="session")
def stack(local_stack: LocalStack | None) -> Stack:
    if local_stack is None:
        assert EXTERNAL_WEB and EXTERNAL_SANDBOX, "set both TWEETNOW_TEST_*_URL variables"
        return Stack(web_url=EXTERNAL_WEB.rstrip("/"), sandbox_url=EXTERNAL_SANDBOX.rstrip("/"))
    env = local_stack.env
    return Stack(web_url=env["PUBLIC_BASE_URL"], sandbox_url=env["X_SANDBOX_PUBLIC_URL"])


@pytest.fixture(scope="session")
def local(local_stack: LocalStack | None) -> LocalStack:
    """For tests that manage processes themselves: skipped against an external stack."""
    if local_stack is None:
        pytest.skip("needs processes started by this test run (not an external stack)")
    return local_stack


@pytest.fixture
def no_faults(stack: Stack) -> Iterator[None]:
    """The sandbox without scripted faults before and after a test."""
    stack.clear_faults()
    yield
    stack.clear_faults()
