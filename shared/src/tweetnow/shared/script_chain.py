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
The combined scripts are cached per process by the parts they join; Redis keeps
them in its script cache like any other, and a Redis that lost them (a restart)
is given them again by ``Script.__call__``.
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

_RUN_PARTS = """
local n = {n}
local keys_at, args_at = 1, 2 * n + 1
local answers = {{}}
for i = 1, n do
  local nk, na = tonumber(ARGV[i]), tonumber(ARGV[n + i])
  local keys, args = {{}}, {{}}
  for j = 1, nk do keys[j] = KEYS[keys_at + j - 1] end
  for j = 1, na do args[j] = ARGV[args_at + j - 1] end
  keys_at, args_at = keys_at + nk, args_at + na
  local ok, result = pcall(parts[i], keys, args)
  if ok then
    answers[i] = {{1, result}}
  elseif type(result) == "table" and result.err then
    answers[i] = {{0, result.err}}
  else
    answers[i] = {{0, tostring(result)}}
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
        script = self._script_for([c.script for c in calls])
        keys = [key for c in calls for key in c.keys]
        args: list[Any] = [len(c.keys) for c in calls]
        args += [len(c.args) for c in calls]
        args += [arg for c in calls for arg in c.args]
        return ScriptCall(script, keys, args)

    def _script_for(self, parts: list[Script]) -> Script:
        shape = tuple(part.sha for part in parts)
        script = self._scripts.get(shape)
        if script is None:
            with self._lock:
                script = self._scripts.get(shape)
                if script is None:
                    script = self._scripts[shape] = self.client.register_script(chain_text(parts))
        return script


def chain_text(parts: Sequence[Script]) -> str:
    """The Lua text that runs ``parts`` in order, each with its own KEYS and ARGV."""
    functions = [_as_function(part.script) for part in parts]
    listed = ",\n".join(functions)
    return f"local parts = {{\n{listed}\n}}\n" + _RUN_PARTS.format(n=len(parts))


def _as_function(text: str | bytes | memoryview) -> str:
    body = bytes(text).decode() if not isinstance(text, str) else text
    return f"function(KEYS, ARGV)\n{body}\nend"


def _answer(entry: list[Any]) -> PartAnswer:
    ok = entry[0] == 1
    value = entry[1] if len(entry) > 1 else None
    if ok:
        return PartAnswer(result=value)
    return PartAnswer(error=value.decode() if isinstance(value, bytes) else str(value))
