"""Queue depths and the messages in each state, with bounded Redis reads only."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import redis

from . import broker_keys as keys
from .queued_messages import QueuedMessage, decode

PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueDepth:
    name: str
    ready: int
    #: Fetched by a worker (prefetched or running), not yet acknowledged.
    in_progress: int
    delayed: int
    dead: int
    oldest_ready_age_s: float | None


def depths(client: redis.Redis, queues: tuple[str, ...] = keys.QUEUES) -> list[QueueDepth]:
    pipe = client.pipeline(transaction=False)
    for q in queues:
        pipe.llen(keys.ready_list(q))
        pipe.hlen(keys.ready_msgs(q))
        pipe.hlen(keys.delayed_msgs(q))
        pipe.zcard(keys.dead_set(q))
        pipe.lindex(keys.ready_list(q), 0)
    values = pipe.execute()
    rows = [values[i * 5 : i * 5 + 5] for i in range(len(queues))]
    pipe = client.pipeline(transaction=False)
    for q, row in zip(queues, rows, strict=True):
        pipe.hget(keys.ready_msgs(q), row[4] or b"")
    oldest = pipe.execute()
    now_ms = time.time() * 1000
    out = []
    for q, (ready, stored, delayed, dead, _), raw in zip(queues, rows, oldest, strict=True):
        age = None
        if raw:
            try:
                age = max(0.0, (now_ms - int(json.loads(raw)["message_timestamp"])) / 1000)
            except (ValueError, KeyError, TypeError):
                age = None
        out.append(
            QueueDepth(
                name=q,
                ready=ready,
                in_progress=max(0, stored - ready),
                delayed=delayed,
                dead=dead,
                oldest_ready_age_s=age,
            )
        )
    return out


def ready_page(client: redis.Redis, queue: str, offset: int) -> list[QueuedMessage]:
    ids = client.lrange(keys.ready_list(queue), offset, offset + PAGE_SIZE - 1)
    if not ids:
        return []
    payloads = client.hmget(keys.ready_msgs(queue), ids)
    return [decode(i.decode(), raw) for i, raw in zip(ids, payloads, strict=True)]


def delayed_page(client: redis.Redis, queue: str, cursor: int) -> tuple[list[QueuedMessage], int]:
    """A page of delayed messages (retries and scheduled), and the cursor of the next (0: done)."""
    next_cursor, found = client.hscan(keys.delayed_msgs(queue), cursor, count=PAGE_SIZE)
    messages = [decode(k.decode(), v) for k, v in found.items()]
    messages.sort(key=lambda m: m.eta.timestamp() if m.eta else 0)
    return messages, int(next_cursor)


def dead_page(client: redis.Redis, queue: str, offset: int) -> list[QueuedMessage]:
    """Dead messages, the most recently dead first."""
    found = client.zrevrange(keys.dead_set(queue), offset, offset + PAGE_SIZE - 1, withscores=True)
    if not found:
        return []
    payloads = client.hmget(keys.dead_msgs(queue), [i for i, _ in found])
    return [decode(i.decode(), raw, score) for (i, score), raw in zip(found, payloads, strict=True)]
