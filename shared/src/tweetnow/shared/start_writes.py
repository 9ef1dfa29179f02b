"""Start writes: the ``running`` status of the attempts a worker process starts, sent in batches.

A worker thread that starts a job hands its ``running`` write (and its worker
registry entry, ``jobs.JobStatusMiddleware``) to this process's writer and runs
the job at once instead of waiting a round trip. The writer sends whatever has
gathered in one pipeline, usually within a millisecond. When the attempt ends,
the consumer's ack takes its start write if it is still waiting and sends it
first in the ack's own transaction, or waits for the batch carrying it to be
answered (``wakeup.WakeupRedisBroker.do_settle``). So the start is always
written before the outcome, never after it, and only by a live process that
runs the job: a worker killed before the batch left leaves the job ``queued``,
as if it had died just before starting it.
"""

from __future__ import annotations

import threading

import redis
from redis.exceptions import NoScriptError

from .jobs import ScriptCall
from .logs import get_logger

log = get_logger(__name__)

#: How long the writer waits before sending a batch again after Redis failed it.
RETRY_PAUSE_S = 0.5


class StartWriter:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._lock = threading.Condition()
        self._waiting: dict[int, ScriptCall] = {}  # delivery (wakeup.delivery) -> its start write
        self._sending: dict[int, threading.Event] = {}  # delivery -> set once answered
        self._thread: threading.Thread | None = None

    def add(self, delivery: int, call: ScriptCall) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="start-writes", daemon=True)
                self._thread.start()
            self._waiting[delivery] = call
            self._lock.notify()

    def take(self, delivery: int) -> ScriptCall | None:
        """The message's start write if it has not left yet (the caller sends it), else
        None once the batch that carried it was answered."""
        while True:
            with self._lock:
                # A batch Redis failed puts its writes back: then the caller sends it.
                call = self._waiting.pop(delivery, None)
                sent = self._sending.get(delivery)
            if call is not None or sent is None:
                return call
            sent.wait()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._waiting:
                    self._lock.wait()
                batch, self._waiting = self._waiting, {}
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
                    answered.set()
            if failed:
                threading.Event().wait(RETRY_PAUSE_S)

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
