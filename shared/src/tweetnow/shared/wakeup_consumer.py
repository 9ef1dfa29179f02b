"""A Dramatiq Redis consumer that waits for a wake-up instead of polling.

Dramatiq's consumer cannot block on its fetch (a Lua script): when a fetch
comes back empty it sleeps and tries again, so an idle worker either answers
late (up to ``worker_timeout``) or polls Redis many times a second. This
consumer, after an empty fetch, blocks on ``BLPOP <namespace>:<queue>.wake``
instead; ``WakeupRedisBroker`` pushes to that list after every enqueue. The
block ends after at most ``wakeup_block_s``, so:

- a message sent without a wake-up (plain Dramatiq, Lua maintenance putting a
  dead worker's messages back) is still fetched within that time;
- every consumer calls the fetch script at least that often, which is what
  refreshes the worker's heartbeat (the broker keeps the block well under
  ``heartbeat_timeout``);
- on a delay queue the block also ends when the earliest delayed message this
  consumer handed to its thread falls due, so delayed messages move to their
  queue on time.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import redis
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import _RedisConsumer
from dramatiq.common import compute_backoff, current_millis
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message

if TYPE_CHECKING:
    from .wakeup_broker import WakeupRedisBroker

#: Shorter waits than this are not worth a round trip (and BLPOP 0 blocks forever).
MIN_BLOCK_S = 0.002


class WakeupConsumer(_RedisConsumer):
    broker: WakeupRedisBroker

    def __init__(
        self, broker: WakeupRedisBroker, queue_name: str, prefetch: int, timeout: int
    ) -> None:
        super().__init__(broker, queue_name, prefetch, timeout)
        self.wake_key = broker.wake_key(queue_name)
        self.is_delay_queue = queue_name.endswith(".DQ")
        # Delayed messages handed to the consumer thread and not yet acked: id -> eta (ms).
        self._etas: dict[str, int] = {}
        self._etas_lock = threading.Lock()

    def ack(self, message: MessageProxy) -> None:
        self._forget(message)
        super().ack(message)

    def nack(self, message: MessageProxy) -> None:
        self._forget(message)
        super().nack(message)

    def _forget(self, message: MessageProxy) -> None:
        if self.is_delay_queue:
            with self._etas_lock:
                self._etas.pop(message.message_id, None)

    def __next__(self) -> MessageProxy | None:
        try:
            while True:
                if self.message_cache:
                    data = self.message_cache.pop(0)
                    if data is None:  # Dramatiq #266: skip, as Dramatiq does
                        continue
                    self.misses = 0
                    message = Message.decode(data)
                    self.queued_message_ids.add(message.message_id)
                    eta = message.options.get("eta")
                    if self.is_delay_queue and isinstance(eta, int | float):
                        with self._etas_lock:
                            self._etas[message.message_id] = int(eta)
                    return MessageProxy(message)

                if self.outstanding_message_count < self.prefetch:
                    self.message_cache = self.broker.do_fetch(
                        self.queue_name, self.prefetch - self.outstanding_message_count
                    )
                    if self.message_cache:
                        continue
                    self.wait_for_wakeup()
                    return None

                # Prefetch is full: nothing to fetch until an ack, which comes from
                # another thread without a wake-up. Back off as Dramatiq does.
                self.misses, backoff_ms = compute_backoff(self.misses, max_backoff=self.timeout)
                time.sleep(backoff_ms / 1000)
                return None
        except redis.ConnectionError as e:
            raise ConnectionClosed(e) from None

    def block_seconds(self) -> float:
        """How long the next wait may last: the block time, or less if a delayed message is due."""
        block_s = self.broker.wakeup_block_s
        with self._etas_lock:
            next_eta = min(self._etas.values(), default=None)
        if next_eta is not None:
            block_s = min(block_s, (next_eta - current_millis()) / 1000)
        return block_s

    def wait_for_wakeup(self) -> None:
        """Block until a producer pushes a wake-up for this queue, or the block time ends."""
        block_s = self.block_seconds()
        if block_s < MIN_BLOCK_S:
            return
        self.broker.wake_client.blpop([self.wake_key], timeout=round(block_s, 3))
