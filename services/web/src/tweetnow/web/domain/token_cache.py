"""A web process's memory of API tokens: whose each is, for ``API_TOKEN_CACHE_S``.

An API client sends its token with every request; without this, each request
looked the token and its person up in the database. A remembered token is
still checked for its expiry on every request, and it is forgotten by every
web process at once when it is revoked: the revoking process publishes the
token's hash on a Redis channel that a listener thread in each process
follows. A person's row changed in the web (their address, their time zone, a
new sign-in) is announced the same way, so no process answers with an old row.

A message is only heard while the listener is subscribed. So the cache is used
only while it is: until the listener has subscribed, and from the moment it
loses Redis until it has subscribed again (the cache emptied), every request
asks the database. A revocation is never missed, only the shortcut is.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import User

log = get_logger(__name__)

#: The channel revocations and changed people are announced on.
CHANNEL = "tweetnow:web:auth-changed"
#: How often the listener checks that its connection still answers.
HEALTH_CHECK_S = 5
#: The listener's pause before subscribing again after losing Redis.
RECONNECT_PAUSE_S = 1.0


@dataclass
class Remembered:
    """One live token: its row id, its person, its expiry, when it was last marked used."""

    token_id: int
    user: User
    expires_at: datetime | None
    last_used_at: datetime | None
    until: float


class TokenCache:
    """Token hash → whose it is, per process, forgotten on a message from any process."""

    def __init__(self, client: redis.Redis | None, ttl_s: float) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self._entries: dict[str, Remembered] = {}
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._listener_pid: int | None = None
        #: Counts what was forgotten: a token read from the database before a message
        #: arrived is not remembered after it (see ``put``).
        self.generation = 0

    @property
    def listening(self) -> bool:
        """Subscribed to the channel: announcements are heard, the memory is used."""
        return self._subscribed.is_set()

    @property
    def enabled(self) -> bool:
        return self.client is not None and self.ttl_s > 0

    # --- reading -------------------------------------------------------------

    def get(self, token_hash: str) -> Remembered | None:
        """The remembered token, or None: not remembered, too old, or not listening."""
        if not self.enabled:
            return None
        self._listen()
        if not self._subscribed.is_set():
            return None
        found = self._entries.get(token_hash)
        if found is None or found.until < time.monotonic():
            return None
        return found

    def put(
        self,
        token_hash: str,
        generation: int,
        token_id: int,
        user: User,
        expires_at: datetime | None,
        last_used_at: datetime | None,
    ) -> None:
        """Remember a token read from the database while ``generation`` was current.

        Nothing is remembered when something was forgotten since (the token may
        have been revoked after the read) or the listener is not subscribed.
        """
        if not self.enabled or not self._subscribed.is_set():
            return
        entry = Remembered(token_id, user, expires_at, last_used_at, time.monotonic() + self.ttl_s)
        with self._lock:
            if generation == self.generation:
                self._entries[token_hash] = entry

    def used(self, token_hash: str, at: datetime) -> None:
        """The token's last use was recorded in the database at ``at``."""
        found = self._entries.get(token_hash)
        if found is not None:
            found.last_used_at = at

    # --- announcing ----------------------------------------------------------

    def token_revoked(self, token_hash: str) -> None:
        """Every process forgets the token (call it after the revocation is committed)."""
        self._announce(f"token:{token_hash}")

    def user_changed(self, user_id: int) -> None:
        """Every process forgets the tokens of a person whose row changed."""
        self._announce(f"user:{user_id}")

    def _announce(self, message: str) -> None:
        self._forget(message)
        if self.client is None:
            return
        try:
            self.client.publish(CHANNEL, message)
        except redis.RedisError as exc:
            # Another process that can hear Redis gets nothing; one that cannot asks
            # the database anyway. The entries expire after API_TOKEN_CACHE_S.
            log.warning("token_cache_announce_failed", message=message, error=str(exc))

    def _forget(self, message: str) -> None:
        kind, _, key = message.partition(":")
        with self._lock:
            self.generation += 1
            if kind == "token":
                self._entries.pop(key, None)
            elif kind == "user":
                for token_hash, entry in list(self._entries.items()):
                    if str(entry.user.id) == key:
                        del self._entries[token_hash]

    # --- listening -----------------------------------------------------------

    def _listen(self) -> None:
        """Start this process's listener once (after gunicorn's fork, at first use)."""
        if self._listener_pid == os.getpid():
            return
        with self._lock:
            if self._listener_pid == os.getpid():
                return
            self._listener_pid = os.getpid()
            self._subscribed.clear()
            self.generation += 1
            self._entries.clear()
        assert self.client is not None
        pool = self.client.connection_pool
        # The listener subscribes again on its own, after RECONNECT_PAUSE_S: redis-py's
        # retries would only keep it from its loop (and from seeing its cache gone) for a
        # jittered backoff of several seconds.
        kwargs = {**pool.connection_kwargs, "health_check_interval": HEALTH_CHECK_S}
        kwargs["retry"] = Retry(NoBackoff(), 0)
        client = redis.Redis(
            connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **kwargs)
        )
        threading.Thread(
            target=_listener, args=(weakref.ref(self), client), name="token-cache", daemon=True
        ).start()

    def hear(self, message: dict[str, Any]) -> None:
        """One message from the channel (or the answer to subscribing)."""
        if message["type"] == "subscribe":
            self._subscribed.set()
        elif message["type"] == "message":
            data = message["data"]
            self._forget(data.decode() if isinstance(data, bytes) else str(data))

    def stop_using(self) -> None:
        """Not listening: whatever is remembered may have been revoked meanwhile."""
        self._subscribed.clear()
        with self._lock:
            self.generation += 1
            self._entries.clear()


def _listener(cache_ref: weakref.ref[TokenCache], client: redis.Redis) -> None:
    """Follow the channel for as long as the cache exists, subscribing again after a loss."""
    while cache_ref() is not None:
        try:
            _follow(cache_ref, client)
        except (redis.RedisError, OSError) as exc:
            log.warning("token_cache_unsubscribed", error=str(exc))
        cache = cache_ref()
        if cache is None:
            return
        cache.stop_using()
        del cache
        time.sleep(RECONNECT_PAUSE_S)


def _follow(cache_ref: weakref.ref[TokenCache], client: redis.Redis) -> None:
    pubsub = client.pubsub()
    try:
        pubsub.subscribe(CHANNEL)
        while True:
            message = pubsub.get_message(timeout=1.0)
            cache = cache_ref()
            if cache is None:
                return
            if message is not None:
                cache.hear(message)
            del cache
    finally:
        pubsub.close()
