"""Start writes: the ``running`` status of the attempts a worker process starts, sent late.

A worker thread that starts a job hands its ``running`` write (and its worker
registry entry, ``jobs.JobStatusMiddleware``) to this process's writer and runs
the job at once instead of waiting a round trip. The writer holds each write
for ``HOLD_S``: most jobs end sooner, and then the consumer's ack takes the
start write and sends it first, in the same script as the outcome and the ack
(``wakeup.WakeupRedisBroker.do_settle``), so a short job costs one write to
Redis, not two. A longer job's start goes out when its hold ends, in one
pipeline with the others due, and the ack of an attempt whose start is on its
way waits for that batch to be answered. So the start is always written
before the outcome, never after it, and only by a live process that runs the
job: a worker killed before its start left leaves the job ``queued``, as if it
had died just before starting it, and "running" shows from ``HOLD_S`` after
the start.
"""

from __future__ import annotations

import threading
import time

import redis
from redis.exceptions import NoScriptError

from .jobs import ScriptCall
from .logs import get_logger

log = get_logger(__name__)

#: How long the writer waits before sending a batch again after Redis failed it.
RETRY_PAUSE_S = 0.5
#: How long a start write waits for its attempt's ack before it goes on its own.
HOLD_S = 0.05


class StartWriter:
    def __init__(self, client: redis.Redis, *, hold_s: float = HOLD_S) -> None:
        self.client = client
        self.hold_s = hold_s
        self._lock = threading.Condition()
        self._waiting: dict[int, ScriptCall] = {}  # delivery (wakeup.delivery) -> its start write
        self._added: dict[int, float] = {}  # delivery -> when its start write was added
        self._sending: dict[int, threading.Event] = {}  # delivery -> set once answered
        self._thread: threading.Thread | None = None
        #: Whether the writer waits with no deadline (for a first write to hold); in a
        #: timed wait it sees a write added meanwhile when it wakes, unwoken.
        self._idle = False

    def add(self, delivery: int, call: ScriptCall) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="start-writes", daemon=True)
                self._thread.start()
            self._waiting[delivery] = call
            self._added[delivery] = time.monotonic()
            if self._idle:
                self._idle = False
                self._lock.notify()

    def take(self, delivery: int) -> ScriptCall | None:
        """The message's start write if it has not left yet (the caller sends it), else
        None once the batch that carried it was answered."""
        while True:
            with self._lock:
                # A batch Redis failed puts its writes back: then the caller sends it.
                call = self._waiting.pop(delivery, None)
                self._added.pop(delivery, None)
                sent = self._sending.get(delivery)
            if call is not None or sent is None:
                return call
            sent.wait()

    def _run(self) -> None:
        while True:
            with self._lock:
                batch = self._due()
                answered = threading.Event()
                for delivery in batch:
                    self._sending[delivery] = answered
            failed: dict[int, ScriptCall] = {}
            try:
                failed = self._send(batch)
            except Exception:  # never leave an ack waiting on a batch that will not answer
                log.exception("job_start_writes_dropped", jobs=len(batch))
            finally:
                with self._lock:
                    for delivery in batch:
                        self._sending.pop(delivery, None)
                    self._waiting = {**failed, **self._waiting}
                    now = time.monotonic()
                    self._added.update({delivery: now - self.hold_s for delivery in failed})
                    answered.set()
            if failed:
                threading.Event().wait(RETRY_PAUSE_S)

    def _due(self) -> dict[int, ScriptCall]:
        """Wait (holding the lock) until some start write has been held ``hold_s``; take
        every one that has. An attempt that ends before then takes its own start write."""
        while True:
            while not self._waiting:
                self._idle = True
                self._lock.wait()
            self._idle = False
            oldest = min(self._added.values())
            wait_s = oldest + self.hold_s - time.monotonic()
            if wait_s <= 0:
                break
            self._lock.wait(wait_s)
        cutoff = time.monotonic() - self.hold_s
        due = {d: c for d, c in self._waiting.items() if self._added[d] <= cutoff}
        for delivery in due:
            del self._waiting[delivery]
            del self._added[delivery]
        return due

    def _send(self, batch: dict[int, ScriptCall]) -> dict[int, ScriptCall]:
        """Send the batch in one pipeline; what Redis could not take, to try again."""
        try:
            pipe = self.client.pipeline(transaction=False)
            for call in batch.values():
                call.add_to(pipe)
            results = pipe.execute(raise_on_error=False)
            for call, result in zip(batch.values(), results, strict=True):
                if isinstance(result, NoScriptError):
                    call.run()
                elif isinstance(result, Exception):
                    log.warning("job_start_write_failed", error=str(result))
        except redis.RedisError as e:
            log.warning("job_start_writes_failed", jobs=len(batch), error=str(e))
            return batch
        return {}
