"""Fixtures every test folder may use: a real redis-server on a free loopback port."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis

from tests.support.processes import RedisServer

pytest_plugins = ["tests.support.local_stack"]


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
