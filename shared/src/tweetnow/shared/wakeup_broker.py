"""Dramatiq's Redis broker, plus a wake-up push so idle workers need not poll.

After each enqueue (and requeue) the broker pushes a token to
``<namespace>:<queue>.wake``; ``WakeupConsumer`` blocks on that list when its
fetch comes back empty. Everything else, the Lua scripts and keys included, is
Dramatiq's own: producers and workers of plain Dramatiq interoperate with these
(a plain producer's messages are fetched when the consumer's block times out).

Maintenance (putting a dead worker's unacked messages back) runs inside the Lua
calls on a random ``maintenance_chance``. Polling every few milliseconds made
that frequent; an idle wake-up consumer calls the script about once a second,
so a fetch also runs maintenance on its queue when none ran there for half a
``heartbeat_timeout``: a killed worker's messages still come back within about
1.5 x ``heartbeat_timeout``, at the cost of one maintenance pass per queue and
process every ``heartbeat_timeout / 2``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis

from .log_setup import get_logger
from .wakeup_consumer import WakeupConsumer

log = get_logger(__name__)

#: Longest an idle consumer blocks between two fetches (the fallback pickup time
#: for messages sent without a wake-up, and how often an idle consumer heartbeats).
DEFAULT_WAKEUP_BLOCK_MS = 1000
#: Wake-up tokens kept per queue: enough to wake every idle consumer, and no
#: backlog of stale tokens after a burst that busy consumers fetched without one.
WAKE_LIST_CAP = 64


class WakeupRedisBroker(RedisBroker):
    def __init__(self, *, wakeup_block_ms: int = DEFAULT_WAKEUP_BLOCK_MS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Idle consumers refresh the heartbeat only by fetching: block well under its timeout.
        self.wakeup_block_s = min(wakeup_block_ms, self.heartbeat_timeout / 4) / 1000
        self._last_maintenance: dict[str, int] = {}  # queue -> when this process last ran it (ms)

    @property
    def consumer_class(self) -> type[WakeupConsumer]:
        return WakeupConsumer

    def wake_key(self, queue_name: str) -> str:
        return f"{self.namespace}:{queue_name}.wake"

    @cached_property
    def wake_client(self) -> redis.Redis:
        """A pool of its own for BLPOP, with a socket timeout longer than the block."""
        pool = self.client.connection_pool
        kwargs = {**pool.connection_kwargs, "socket_timeout": self.wakeup_block_s + 5}
        return redis.Redis(
            connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **kwargs)
        )

    def do_enqueue(self, queue_name: str, message_id: str, data: bytes) -> Any:
        result = self._dispatch("enqueue")(queue_name, message_id, data)
        self.wake(queue_name)
        return result

    def do_requeue(self, queue_name: str, *message_ids: str) -> Any:
        result = self._dispatch("requeue")(queue_name, *message_ids)
        self.wake(queue_name)
        return result

    def _dispatch(self, command: str) -> Any:
        """Dramatiq's dispatch, with maintenance also due by time on fetches (see above)."""
        dispatch = self.scripts["dispatch"]
        keys = [self.namespace]

        def do_dispatch(queue_name: str, *args: Any) -> Any:
            timestamp = current_millis()
            args = (
                command,
                timestamp,
                queue_name,
                self.broker_id,
                self.heartbeat_timeout,
                self.dead_message_ttl,
                self._maintenance_due(command, queue_name, timestamp),
                self._max_unpack_size(),
                *args,
            )
            return dispatch(args=list(args), keys=keys)

        return do_dispatch

    def _maintenance_due(self, command: str, queue_name: str, now: int) -> int:
        due = self._should_do_maintenance(command) or (
            command == "fetch"
            and now - self._last_maintenance.get(queue_name, 0) >= self.heartbeat_timeout / 2
        )
        if due:
            self._last_maintenance[queue_name] = now
        return int(due)

    def wake(self, queue_name: str) -> None:
        """Wake one consumer blocked on the queue. The message is already stored: if this
        fails, a consumer still fetches it when its block ends, so the error is only logged."""
        key = self.wake_key(queue_name)
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.lpush(key, 1)
            pipe.ltrim(key, 0, WAKE_LIST_CAP - 1)
            pipe.execute()
        except redis.RedisError as e:
            log.warning(
                "wake-up push failed; a consumer fetches the message when its block ends",
                queue=queue_name,
                block_s=self.wakeup_block_s,
                error=str(e),
            )
