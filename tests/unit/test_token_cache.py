"""A web process's memory of API tokens, in-process against a real Redis: used only while
its listener is subscribed, forgotten on what any process announces."""

from __future__ import annotations

import time

import redis

from tests.support.processes import free_port
from tests.support.web_api import bearer
from tweetnow.shared.models import ApiToken
from tweetnow.web.deps import WebDeps
from tweetnow.web.domain.token_cache import TokenCache
from tweetnow.web.domain.tokens import hash_token


def listening(cache: TokenCache, token: str, *, timeout: float = 5) -> None:
    """Wait until ``cache`` has subscribed (its listener starts at its first use)."""
    deadline = time.monotonic() + timeout
    cache.get(hash_token(token))
    while not cache.listening:
        assert time.monotonic() < deadline, "the listener never subscribed"
        time.sleep(0.02)


def test_a_token_is_answered_from_memory_once_the_listener_is_subscribed(client, deps, alice):
    user, token = alice
    listening(deps.token_cache, token)
    assert client.simulate_get("/api/me", headers=bearer(token)).status_code == 200
    remembered = deps.token_cache.get(hash_token(token))
    assert remembered is not None and remembered.user.id == user.id


def test_a_revocation_announced_by_another_process_is_forgotten(client, deps, settings, alice):
    _, token = alice
    listening(deps.token_cache, token)
    assert client.simulate_get("/api/me", headers=bearer(token)).status_code == 200
    other = WebDeps.from_settings(settings).token_cache
    other.token_revoked(hash_token(token))
    deadline = time.monotonic() + 5
    while deps.token_cache.get(hash_token(token)) is not None:
        assert time.monotonic() < deadline, "the announcement was never heard"
        time.sleep(0.01)


def test_a_token_read_before_a_revocation_is_not_remembered_after_it(deps, alice):
    user, token = alice
    cache = deps.token_cache
    listening(cache, token)
    (row,) = list(user.api_tokens)
    before = cache.generation
    cache.token_revoked(hash_token(token))  # heard while the request was reading the row
    cache.put(hash_token(token), before, row.id, user, None, None)
    assert cache.get(hash_token(token)) is None


def test_without_redis_every_request_asks_the_database(alice):
    user, token = alice
    unreachable = redis.Redis(port=free_port(), socket_connect_timeout=0.2)
    cache = TokenCache(unreachable, ttl_s=60)
    assert cache.get(hash_token(token)) is None  # starts the listener, which cannot connect
    time.sleep(0.3)
    cache.put(hash_token(token), cache.generation, ApiToken.get().id, user, None, None)
    assert not cache.listening
    assert cache.get(hash_token(token)) is None
