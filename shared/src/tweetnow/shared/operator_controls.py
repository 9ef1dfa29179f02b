"""The operator's controls: paused queues, quiet worker processes, and who did what when.

The state lives in Redis, beside the queues, so every worker process on every
host sees the same thing and the web's dashboard changes it with one write:

- ``tweetnow:paused_queues`` — a set of queue names. A paused queue stays
  paused until someone resumes it, whatever happens to the workers: a worker
  started while it is paused does not take from it either.
- ``tweetnow:workers:<host:pid>:quiet`` — one worker process is quiet (the
  key the worker registry keys its record by). A quiet flag belongs to one
  process and ends with it: it expires with the process's registry record
  (the registry refreshes it with each beat) and a process deletes its own at
  boot, so a restarted container whose new process has the same host and pid
  starts taking work. Quiet is the step before stopping a process; there is no
  "unquiet": restarting the process ends it.
- ``tweetnow:operator_actions`` — the last :data:`AUDIT_LENGTH` actions, newest
  first: who (the admin's X user id and handle), what, on which queue or
  worker, when.

Workers read the state through :class:`HoldBack`, at most once a
:data:`REFRESH_S` per process, so an idle worker pays one pipelined read a
second for it; a pause or quiet takes effect within about that second.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import redis

from .clock import iso, utcnow
from .jobs import WORKER_NAME
from .logs import get_logger
from .worker_registry import RECORD_TTL_S, quiet_key, worker_key

log = get_logger(__name__)

PAUSED_QUEUES = "tweetnow:paused_queues"
AUDIT_LIST = "tweetnow:operator_actions"
#: Operator actions kept, newest first.
AUDIT_LENGTH = 200
#: Longest a worker process acts on a stale view of the controls.
REFRESH_S = 1.0


@dataclass(frozen=True)
class Operator:
    """Who acted: an admin, by X user id (what admits them) and handle (what people read)."""

    x_user_id: str
    handle: str


@dataclass(frozen=True)
class OperatorAction:
    """One line of the audit: who did what to which queue or worker, and when."""

    at: str
    x_user_id: str
    handle: str
    action: str
    target: str


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class OperatorControls:
    """The operator's side: pause and resume queues, quiet workers, and the audit list."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def paused_queues(self) -> set[str]:
        return {_text(q) for q in self.client.smembers(PAUSED_QUEUES)}

    def quiet_workers(self, names: Iterable[str]) -> set[str]:
        """Which of these worker processes are quiet."""
        names = list(names)
        pipe = self.client.pipeline(transaction=False)
        for name in names:
            pipe.exists(quiet_key(name))
        return {name for name, found in zip(names, pipe.execute(), strict=True) if found}

    def pause(self, queue: str, by: Operator) -> None:
        self._act("pause", queue, by, lambda pipe: pipe.sadd(PAUSED_QUEUES, queue))

    def resume(self, queue: str, by: Operator) -> None:
        self._act("resume", queue, by, lambda pipe: pipe.srem(PAUSED_QUEUES, queue))

    def quiet(self, worker: str, by: Operator) -> bool:
        """Quiet a live worker process; False if it is not alive (no flag is left behind)."""
        if not self.client.exists(worker_key(worker)):
            return False
        flag = json.dumps({"by": by.handle, "at": iso(utcnow())})
        self._act(
            "quiet", worker, by, lambda pipe: pipe.set(quiet_key(worker), flag, ex=RECORD_TTL_S)
        )
        return True

    def _act(
        self,
        action: str,
        target: str,
        by: Operator,
        change: Callable[[redis.client.Pipeline], object],
    ) -> None:
        entry = OperatorAction(
            at=iso(utcnow()) or "",
            x_user_id=by.x_user_id,
            handle=by.handle,
            action=action,
            target=target,
        )
        pipe = self.client.pipeline(transaction=True)
        change(pipe)
        pipe.lpush(AUDIT_LIST, json.dumps(asdict(entry)))
        pipe.ltrim(AUDIT_LIST, 0, AUDIT_LENGTH - 1)
        pipe.execute()

    def recent_actions(self, count: int) -> list[OperatorAction]:
        rows = self.client.lrange(AUDIT_LIST, 0, count - 1)
        return [OperatorAction(**json.loads(r)) for r in rows]


class HoldBack:
    """A worker process's view of the controls: whether it may take from a queue now.

    Read from Redis at most once a :data:`REFRESH_S`, shared by the process's
    consumers (one thread per queue). When Redis cannot be read, the last view
    holds: the consumers meet the same error on their next fetch anyway.
    """

    def __init__(
        self, client: redis.Redis, *, worker: str = WORKER_NAME, refresh_s: float = REFRESH_S
    ) -> None:
        self.client = client
        self.worker = worker
        self.refresh_s = refresh_s
        self._paused: frozenset[str] = frozenset()
        self._quiet = False
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def holds_back(self, queue: str) -> bool:
        """Whether this process must take nothing from ``queue`` (its canonical name) now."""
        self._refresh()
        return self._quiet or queue in self._paused

    def is_quiet(self) -> bool:
        self._refresh()
        return self._quiet

    def _refresh(self) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._read_at < self.refresh_s:
                return
            self._read_at = now
            try:
                pipe = self.client.pipeline(transaction=False)
                pipe.smembers(PAUSED_QUEUES)
                pipe.exists(quiet_key(self.worker))
                paused, quiet = pipe.execute()
            except redis.RedisError as exc:
                log.warning("operator_controls_unreadable", error=str(exc))
                return
            self._paused = frozenset(_text(q) for q in paused)
            self._quiet = bool(quiet)
