"""Calling the web's JSON API in-process, and what the tweets queue holds afterwards."""

from __future__ import annotations

import json

import redis

from tweetnow.shared.messages import TWEETS_QUEUE
from tweetnow.shared.models import Tweet

#: The Redis list Dramatiq keeps the tweets queue in.
QUEUE_KEY = f"dramatiq:{TWEETS_QUEUE}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def queued_message_ids(r: redis.Redis) -> list[str]:
    """The Redis ids of the messages waiting on the tweets queue."""
    return [m.decode() for m in r.lrange(QUEUE_KEY, 0, -1)]


def queued_job_ids(r: redis.Redis) -> list[str]:
    """The Dramatiq message ids (our job ids) waiting on the tweets queue."""
    return [
        json.loads(r.hget(f"{QUEUE_KEY}.msgs", m))["message_id"] for m in r.lrange(QUEUE_KEY, 0, -1)
    ]


def assert_nothing_written(r: redis.Redis) -> None:
    assert Tweet.select().count() == 0
    assert r.llen(QUEUE_KEY) == 0
    assert r.hlen(f"{QUEUE_KEY}.msgs") == 0
