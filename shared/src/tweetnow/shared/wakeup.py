"""Pickup without polling: Dramatiq's Redis broker plus a consumer that waits for a wake-up.

Dramatiq's consumer cannot block on its fetch (a Lua script): when a fetch
comes back empty it sleeps and tries again, so an idle worker either answers
late (up to ``worker_timeout``) or polls Redis many times a second. Here the
broker, after each enqueue (and requeue), pushes a token to
``<namespace>:<queue>.wake``, and the consumer, after an empty fetch, blocks on
``BLPOP`` of that list instead of sleeping. Everything else, the Lua scripts
and keys included, is Dramatiq's own: producers and workers of plain Dramatiq
interoperate with these (a plain producer's messages are fetched when the
consumer's block times out).

The block ends after at most ``wakeup_block_s``, so:

- a message sent without a wake-up (plain Dramatiq, Lua maintenance putting a
  dead worker's messages back) is still fetched within that time;
- every consumer calls the fetch script at least that often, which is what
  refreshes the worker's heartbeat (the broker keeps the block well under
  ``heartbeat_timeout``);
- on a delay queue the block also ends when the earliest delayed message this
  consumer handed to its thread falls due, so delayed messages move to their
  queue on time.

Maintenance (putting a dead worker's unacked messages back) runs inside the Lua
calls on a random ``maintenance_chance``. Polling every few milliseconds made
that frequent; an idle wake-up consumer calls the script about once a second,
so a fetch also runs maintenance on its queue when none ran there for half a
``heartbeat_timeout``: a killed worker's messages still come back within about
1.5 x ``heartbeat_timeout``, at the cost of one maintenance pass per queue and
process every ``heartbeat_timeout / 2``.

The operator's controls (``tweetnow.shared.operator_controls``) act here, at
the fetch: a consumer of a paused queue, or any consumer of a quiet process,
fetches nothing, gives back what it fetched and has not yet handed on, and
instead of blocking on the wake-up list (whose tokens belong to consumers that
may take) calls the fetch script for no message once per block, which keeps
its heartbeat and maintenance going, then sleeps. What the process's threads
already hold (at most Dramatiq's queue prefetch, twice the threads, per queue)
still runs: a pause stops new work within about a second, it does not take
work out of a running process's hands. A paused queue's delay-queue consumer
keeps going, so delayed messages stay delayed and, once due, are moved to the
queue, where they wait with it; a quiet process's delay-queue consumer takes
no new delayed messages but still moves the ones it holds when they fall due.
Only this consumer honours the controls: with ``WORKER_WAKEUP=0`` (Dramatiq's
own polling consumer) pause and quiet have no effect.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import redis
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import current_millis, q_name
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message
from redis.exceptions import ResponseError

from .jobs import ScriptCall
from .logs import get_logger
from .operator_controls import HoldBack
from .script_chain import ChainGroup, ScriptChains
from .start_writes import StartWriter

log = get_logger(__name__)

#: Longest an idle consumer blocks between two fetches (the fallback pickup time
#: for messages sent without a wake-up, and how often an idle consumer heartbeats).
DEFAULT_WAKEUP_BLOCK_MS = 1000
#: Wake-up tokens kept per queue: enough to wake every idle consumer, and no
#: backlog of stale tokens after a burst that busy consumers fetched without one.
WAKE_LIST_CAP = 64
#: Shorter waits than this are not worth a round trip (and BLPOP 0 blocks forever).
MIN_BLOCK_S = 0.002

#: The wake-up: a token for one waiting consumer, the list kept short (KEYS: the
#: queue's wake list; ARGV: the cap).
_WAKE = """
redis.call("lpush", KEYS[1], 1)
redis.call("ltrim", KEYS[1], 0, tonumber(ARGV[1]) - 1)
"""


def delivery(message: MessageProxy) -> int:
    """One delivery of a message to this process, from its fetch to its ack: the proxy
    Dramatiq passes from hook to hook. Not the message id, which a retry keeps, and whose
    retry the delay queue's consumer may ack while the attempt before is being acked."""
    return id(message)


class WakeupRedisBroker(RedisBroker):
    def __init__(self, *, wakeup_block_ms: int = DEFAULT_WAKEUP_BLOCK_MS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Idle consumers refresh the heartbeat only by fetching: block well under its timeout.
        self.wakeup_block_s = min(wakeup_block_ms, self.heartbeat_timeout / 4) / 1000
        self._last_maintenance: dict[str, int] = {}  # queue -> when this process last ran it (ms)
        self.hold_back = HoldBack(self.client)
        self._with_enqueue = threading.local()
        self._with_ack: dict[int, list[ScriptCall]] = {}  # delivery -> writes to send
        self.chains = ScriptChains(self.client)
        self.settles = ChainGroup(self.chains)
        self._wake_script = self.client.register_script(_WAKE)
        self.start_writes = StartWriter(self.client)

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

    def calls_with_enqueue(self) -> list[ScriptCall]:
        """Where a ``before_enqueue`` hook puts a write that should travel with the message
        (the job status): the next enqueue of this thread sends it first, in its round trip."""
        calls: list[ScriptCall] | None = getattr(self._with_enqueue, "calls", None)
        if calls is None:
            calls = self._with_enqueue.calls = []
        return calls

    def calls_with_ack(self, message: MessageProxy) -> list[ScriptCall]:
        """Where an ``after_process_message`` hook puts a write that should travel with the
        message's ack or nack (the attempt's outcome): the consumer sends them together."""
        return self._with_ack.setdefault(delivery(message), [])

    def start_soon(self, message: MessageProxy, call: ScriptCall) -> None:
        """Where a ``before_process_message`` hook puts the attempt's start (``running``):
        sent in a batch by this process's writer, always before the outcome."""
        self.start_writes.add(delivery(message), call)

    def do_settle(
        self, command: str, queue_name: str, message: MessageProxy, redis_message_id: str
    ) -> Any:
        """The hooks' writes and Dramatiq's ack (or nack) as one script: a worker that dies
        sending it leaves both undone, the message in its ack set (it comes back) and the
        status as it was, never an outcome without its ack or the reverse.

        The writes stay with the message until this succeeds: a lost connection makes
        Dramatiq try the ack again, and the outcome goes with it again. A write that
        fails in Redis is logged and the ack still happens.
        """
        calls = self._with_ack.get(delivery(message), [])
        start = self.start_writes.take(delivery(message))
        if start is not None:  # not sent yet: it goes first, and stays for a second try
            calls = self._with_ack.setdefault(delivery(message), [])
            calls.insert(0, start)
        dispatch = self._dispatch_call(command, queue_name, redis_message_id)
        # With the other threads' acks that are ready while one is on its way.
        *writes, acked = self.settles.run([*calls, dispatch])
        for answer in writes:
            if answer.error is not None:
                log.warning("write_with_ack_failed", queue=queue_name, error=answer.error)
        result = acked.unwrap()
        self._with_ack.pop(delivery(message), None)
        return result

    def do_enqueue(self, queue_name: str, message_id: str, data: bytes) -> Any:
        """The hooks' writes, Dramatiq's enqueue script and the wake-up: one script, one
        round trip. Only the enqueue's own failure fails it: a status write that fails
        is logged, and a failed wake-up leaves the message stored, for a consumer to
        fetch when its block ends.
        """
        calls = self.calls_with_enqueue()
        self._with_enqueue.calls = None
        enqueue = self._dispatch_call("enqueue", queue_name, message_id, data)
        wake = ScriptCall(self._wake_script, [self.wake_key(queue_name)], [WAKE_LIST_CAP])
        *writes, enqueued, woken = self.chains.run([*calls, enqueue, wake])
        for answer in writes:
            if answer.error is not None:
                log.warning("write_with_enqueue_failed", queue=queue_name, error=answer.error)
        result = enqueued.unwrap()
        if woken.error is not None:
            self._wake_failed(queue_name, ResponseError(woken.error))
        return result

    def enqueue(self, message: Message[Any], *, delay: int | None = None) -> Message[Any]:
        # Nothing left over from an enqueue that a hook stopped goes with this one.
        self._with_enqueue.calls = None
        return super().enqueue(message, delay=delay)

    def do_requeue(self, queue_name: str, *message_ids: str) -> Any:
        result = self._dispatch("requeue")(queue_name, *message_ids)
        self.wake(queue_name)
        return result

    def _dispatch_call(self, command: str, queue_name: str, *args: Any) -> ScriptCall:
        """Dramatiq's dispatch script with the arguments its ``_dispatch`` would give it."""
        timestamp = current_millis()
        argv = [
            command,
            timestamp,
            queue_name,
            self.broker_id,
            self.heartbeat_timeout,
            self.dead_message_ttl,
            self._maintenance_due(command, queue_name, timestamp),
            self._max_unpack_size(),
            *args,
        ]
        return ScriptCall(self.scripts["dispatch"], [self.namespace], argv)

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
            self._wake_failed(queue_name, e)

    def _wake_failed(self, queue_name: str, error: Exception) -> None:
        log.warning(
            "wake-up push failed; a consumer fetches the message when its block ends",
            queue=queue_name,
            block_s=self.wakeup_block_s,
            error=str(error),
        )


@contextmanager
def _timeout_as_connection_closed() -> Iterator[None]:
    """A Redis timeout on an ack is a lost connection to Dramatiq: it tries the ack again
    until Redis answers. Dramatiq turns only ``ConnectionError`` into that; any other
    error abandons the ack, leaving the message in this live worker's ack set, where
    nothing puts it back until the worker stops."""
    try:
        yield
    except redis.TimeoutError as e:
        raise ConnectionClosed(e) from None


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
        #: Set by an ack that leaves room for a batch: a full consumer waits on it.
        self._room = threading.Event()
        #: Outstanding messages at or under which a full consumer fetches again.
        self._refill_at = prefetch - max(1, prefetch // 2)

    def ack(self, message: MessageProxy) -> None:
        self._settle("ack", message)

    def nack(self, message: MessageProxy) -> None:
        self._settle("nack", message)

    def _settle(self, command: str, message: MessageProxy) -> None:
        """Dramatiq's ack or nack, with the attempt's outcome (``WakeupRedisBroker.do_settle``).

        Like Dramatiq's, on the queue this consumer fetched the message from (a delayed
        message's is the delay queue)."""
        self._forget(message)
        try:
            with _timeout_as_connection_closed():
                self.broker.do_settle(
                    command, self.queue_name, message, message.options["redis_message_id"]
                )
        except redis.ConnectionError as e:
            raise ConnectionClosed(e) from None
        finally:
            self.queued_message_ids.discard(message.message_id)
            if self.outstanding_message_count <= self._refill_at:
                self._room.set()

    def _forget(self, message: MessageProxy) -> None:
        if self.is_delay_queue:
            with self._etas_lock:
                self._etas.pop(message.message_id, None)

    def __next__(self) -> MessageProxy | None:
        try:
            while True:
                if self.held_back():
                    self.give_back_cache()
                    self.wait_while_held_back()
                    return None

                if self.message_cache:
                    data = self.message_cache.pop(0)
                    if data is None:  # Dramatiq #266: skip, as Dramatiq does
                        continue
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

                # Prefetch is full: nothing to fetch until the worker threads' acks
                # make room for a batch (or a delayed message falls due).
                self.wait_for_room()
                return None
        except redis.ConnectionError as e:
            raise ConnectionClosed(e) from None

    def wait_for_room(self) -> None:
        """Wait until acks leave half the prefetch free, at most the worker timeout (or
        until the next delayed message this consumer holds falls due).

        Dramatiq's consumer sleeps a growing backoff here instead (2.5-5 ms, then
        twice that, ...): its threads finish short jobs long before it wakes and sit idle,
        and a long job's slot stays unused for the rest of the sleep. Waiting for
        half the prefetch, not for one ack, fetches in batches: one fetch per
        half-prefetch of jobs, however short they are."""
        self._room.clear()
        if self.outstanding_message_count <= self._refill_at:
            return  # an ack came between the check and the clear
        self._room.wait(min(self.timeout / 1000, self.block_seconds()))

    def held_back(self) -> bool:
        """Whether the operator's controls keep this consumer from taking (see above)."""
        if self.is_delay_queue:
            return self.broker.hold_back.is_quiet()
        return self.broker.hold_back.holds_back(q_name(self.queue_name))

    def give_back_cache(self) -> None:
        """Put fetched messages not yet handed to the worker back on the queue."""
        cached, self.message_cache = self.message_cache, []
        redis_ids = [
            Message.decode(data).options["redis_message_id"] for data in cached if data is not None
        ]
        if redis_ids:
            self.broker.do_requeue(self.queue_name, *redis_ids)

    def wait_while_held_back(self) -> None:
        """Heartbeat (a fetch of no message), then sleep out the block."""
        self.broker.do_fetch(self.queue_name, 0)
        block_s = self.block_seconds()
        if block_s >= MIN_BLOCK_S:
            time.sleep(block_s)

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
