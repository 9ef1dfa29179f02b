"""Several Lua scripts run as one: a single EVALSHA for writes that travel together.

A message's ack and its attempt's outcome, or an enqueue and its job status,
used to go as a pipeline of EVALSHAs (inside MULTI/EXEC for the ack). Redis
answers each command of a pipeline separately, and redis-py parses every one
of those answers; a chain is one command with one answer, and a script runs
atomically, as the transaction did.

Each script becomes a Lua function of its own ``KEYS`` and ``ARGV`` (its text
is unchanged: Dramatiq's dispatch script runs as it ships), called in order
under ``pcall``, so a part that fails does not stop the parts after it, as in a
pipeline. The chain answers, for each part, ``{1, result}`` or ``{0, error}``.
A combined script holds each distinct part once, and its arguments say which
part each call runs: the calls of several messages' acks, in any order, share
one script per set of distinct parts. The combined scripts are cached per
process; Redis keeps them in its script cache like any other, and a Redis that
lost them (a restart) is given them again by ``Script.__call__``.

:class:`ChainGroup` lets the threads of a process share the round trip: a
thread whose chain is ready while another thread's is on its way waits for that
answer, then sends its own with every other chain that arrived meanwhile, as one
script (a group commit). A lone chain goes at once.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis
from redis.commands.core import Script
from redis.exceptions import ResponseError

from .jobs import ScriptCall

#: ARGV: the number of calls n, then each call's part (an index into ``parts``), its
#: key count and its argument count, then every call's arguments; KEYS: every call's.
_RUN_CALLS = """
local n = tonumber(ARGV[1])
local keys_at, args_at = 1, 3 * n + 2
local answers = {}
for i = 1, n do
  local part = parts[tonumber(ARGV[1 + i])]
  local nk, na = tonumber(ARGV[1 + n + i]), tonumber(ARGV[1 + 2 * n + i])
  local keys, args = {}, {}
  for j = 1, nk do keys[j] = KEYS[keys_at + j - 1] end
  for j = 1, na do args[j] = ARGV[args_at + j - 1] end
  keys_at, args_at = keys_at + nk, args_at + na
  local ok, result = pcall(part, keys, args)
  if ok then
    answers[i] = {1, result}
  elseif type(result) == "table" and result.err then
    answers[i] = {0, result.err}
  else
    answers[i] = {0, tostring(result)}
  end
end
return answers
"""


@dataclass(frozen=True)
class PartAnswer:
    """What one part of a chain answered: its result, or the error it raised."""

    result: Any = None
    error: str | None = None

    def unwrap(self) -> Any:
        if self.error is not None:
            raise ResponseError(self.error)
        return self.result


class ScriptChains:
    """The combined scripts of one Redis client, built once per sequence of parts."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._scripts: dict[tuple[str, ...], Script] = {}
        self._lock = threading.Lock()

    def run(self, calls: Sequence[ScriptCall]) -> list[PartAnswer]:
        """Run ``calls`` in order as one script; one answer per call."""
        raw = self.call(calls).run()
        return [_answer(entry) for entry in raw]

    def call(self, calls: Sequence[ScriptCall]) -> ScriptCall:
        """The chain of ``calls`` as one script call (to run, or to add to a pipeline)."""
        parts = sorted({c.script.sha: c.script for c in calls}.items())
        index = {sha: i for i, (sha, _) in enumerate(parts, start=1)}
        script = self._script_for(tuple(sha for sha, _ in parts), [p for _, p in parts])
        keys = [key for c in calls for key in c.keys]
        args: list[Any] = [len(calls)]
        args += [index[c.script.sha] for c in calls]
        args += [len(c.keys) for c in calls]
        args += [len(c.args) for c in calls]
        args += [arg for c in calls for arg in c.args]
        return ScriptCall(script, keys, args)

    def _script_for(self, shape: tuple[str, ...], parts: list[Script]) -> Script:
        script = self._scripts.get(shape)
        if script is None:
            with self._lock:
                script = self._scripts.get(shape)
                if script is None:
                    script = self._scripts[shape] = self.client.register_script(chain_text(parts))
        return script


class ChainGroup:
    """Chains from several threads sent as one: at most one round trip in flight.

    A thread that calls :meth:`run` while no chain is on its way sends its own at
    once. One that comes while a chain is on its way waits; when that answer is
    in, the first of the waiting threads sends, as one script, every chain that
    waited. Each thread gets its own answers, or the error that failed the round
    trip (the parts of every chain in it then did not run), and is woken once.

    A thread can be interrupted while it waits or sends (Dramatiq raises its time
    limit in a worker thread from another thread, and can do so just after the job
    ended, in its ack). Its turn to send still passes to the next waiting thread,
    and the chains of other threads never get its interrupt.
    """

    def __init__(self, chains: ScriptChains) -> None:
        self.chains = chains
        self._lock = threading.Lock()
        self._waiting: list[_Waiting] = []
        self._in_flight = False

    def run(self, calls: Sequence[ScriptCall]) -> list[PartAnswer]:
        mine = _Waiting(list(calls))
        with self._lock:
            self._waiting.append(mine)
            mine.leads = not self._in_flight
            self._in_flight = True
        if not mine.leads:
            try:
                mine.wait()  # for its answers, or to send the next group
            except BaseException:
                self._leave(mine)
                raise
            if mine.done:
                return mine.outcome()
        with self._lock:
            group, self._waiting = self._waiting, []
        try:
            answers = self.chains.run([call for waiting in group for call in waiting.calls])
        except Exception as e:
            for waiting in group:
                waiting.error = e
        except BaseException as e:
            # An interrupt raised in this thread by another (Dramatiq's time limit): the
            # round trip may or may not have run. The other threads get what a lost
            # connection gives them (Dramatiq sends their acks again), not the interrupt.
            lost = redis.ConnectionError(f"a round trip was interrupted by {type(e).__name__}")
            for waiting in group:
                waiting.error = e if waiting is mine else lost
        else:
            at = 0
            for waiting in group:
                waiting.answers = answers[at : at + len(waiting.calls)]
                at += len(waiting.calls)
        finally:
            with self._lock:
                self._pass_turn()
            for waiting in group:
                waiting.done = True
                if waiting is not mine:
                    waiting.wake()
        return mine.outcome()

    def _leave(self, mine: _Waiting) -> None:
        """An interrupt reached a waiting thread: its chain stays unsent unless a group
        already carries it, and a turn to send the next group goes to the next thread."""
        with self._lock:
            if mine in self._waiting:
                self._waiting.remove(mine)
                if mine.leads:
                    self._pass_turn()

    def _pass_turn(self) -> None:
        """The first waiting thread sends the next group, or none is in flight (under
        ``_lock``)."""
        if self._waiting:
            self._waiting[0].leads = True
            self._waiting[0].wake()
        else:
            self._in_flight = False


class _Waiting:
    """One thread's chain in a :class:`ChainGroup`, and the lock it sleeps on."""

    def __init__(self, calls: list[ScriptCall]) -> None:
        self.calls = calls
        #: Whether this thread sends the group it is in (it came first, or was woken to).
        self.leads = False
        self.done = False
        self.answers: list[PartAnswer] | None = None
        self.error: BaseException | None = None
        self._signal = threading.Lock()
        self._signal.acquire()

    def wait(self) -> None:
        self._signal.acquire()

    def wake(self) -> None:
        self._signal.release()

    def outcome(self) -> list[PartAnswer]:
        if self.error is not None:
            raise self.error
        assert self.answers is not None
        return self.answers


def chain_text(parts: Sequence[Script]) -> str:
    """The Lua text that runs calls of ``parts``, each with its own KEYS and ARGV."""
    functions = [_as_function(part.script) for part in parts]
    listed = ",\n".join(functions)
    return f"local parts = {{\n{listed}\n}}\n" + _RUN_CALLS


def _as_function(text: str | bytes | memoryview) -> str:
    body = bytes(text).decode() if not isinstance(text, str) else text
    return f"function(KEYS, ARGV)\n{body}\nend"


def _answer(entry: list[Any]) -> PartAnswer:
    ok = entry[0] == 1
    value = entry[1] if len(entry) > 1 else None
    if ok:
        return PartAnswer(result=value)
    return PartAnswer(error=value.decode() if isinstance(value, bytes) else str(value))
