"""X's posting quotas, shared by every tweeter process through Redis.

X reports a quota on every response: ``x-rate-limit-*`` (per user, about 100
posts per 15 minutes), and on posts also ``x-user-limit-24hour-*`` and
``x-app-limit-24hour-*`` (per user and per app per day). Each is kept in one
Redis hash (``limit``, ``remaining``, ``reset`` in epoch seconds, and
``pending``: posts reserved and not answered yet), which expires at its reset.

Before posting, a worker *reserves* one post in every quota that applies, in
one Lua script, so that threads and replicas racing through a burst never
reserve more than X has left: a quota whose ``remaining - pending`` is 0 holds
the post back until its reset. After X answers (or the call fails), the worker
*settles*: the reservation ends and what the headers say is learned. Answers of
one window arrive out of order, so within a window the lowest ``remaining``
wins; a later reset starts a new window.

A quota never heard of is open: the first posts of a window go out while the
first answer is on its way (at most one per worker thread).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import redis

KEY_PREFIX = "tweetnow:x_quota"
#: A reservation in a quota with no known reset lasts this long (a worker that
#: died mid-call must not hold a post forever).
PENDING_TTL_S = 120
#: X's reset is in whole seconds and clocks differ: wait this much past it.
RESET_MARGIN_S = 1.0

#: (quota, header prefix): what each window is called in X's headers.
USER_WINDOW = ("user", "x-rate-limit")
USER_DAY = ("user_day", "x-user-limit-24hour")
APP_DAY = ("app_day", "x-app-limit-24hour")

_RESERVE = """
local now = tonumber(ARGV[1])
local hold = 0
for _, key in ipairs(KEYS) do
  local reset = tonumber(redis.call('HGET', key, 'reset'))
  if reset and reset > now then
    local remaining = tonumber(redis.call('HGET', key, 'remaining')) or 0
    local pending = tonumber(redis.call('HGET', key, 'pending')) or 0
    if remaining - pending <= 0 and reset > hold then hold = reset end
  end
end
if hold > 0 then return tostring(hold) end
for _, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, 'pending', 1)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[2]) end
end
return false
"""

_SETTLE = """
local margin = tonumber(ARGV[1])
local reserved = ARGV[2] == '1'
for i, key in ipairs(KEYS) do
  if reserved and (tonumber(redis.call('HGET', key, 'pending')) or 0) > 0 then
    redis.call('HINCRBY', key, 'pending', -1)
  end
  local base = 3 * (i - 1) + 3
  if ARGV[base] ~= '' then
    local limit, remaining, reset = ARGV[base], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
    local known_reset = tonumber(redis.call('HGET', key, 'reset'))
    if known_reset == nil or reset > known_reset then
      redis.call('HSET', key, 'limit', limit, 'remaining', remaining, 'reset', reset)
      redis.call('EXPIREAT', key, math.ceil(reset + margin))
    elseif reset == known_reset then
      local known = tonumber(redis.call('HGET', key, 'remaining'))
      if known == nil or remaining < known then
        redis.call('HSET', key, 'remaining', remaining)
      end
    end
  end
end
return 1
"""


@dataclass(frozen=True)
class Window:
    """One quota as X reported it."""

    limit: int
    remaining: int
    reset: int  # epoch seconds


def read_window(headers: Mapping[str, str], prefix: str) -> Window | None:
    """The quota ``<prefix>-remaining/reset`` (and ``-limit``) in ``headers``, if X sent it."""
    try:
        remaining = int(headers[f"{prefix}-remaining"])
        return Window(
            limit=int(headers.get(f"{prefix}-limit") or remaining),
            remaining=remaining,
            reset=int(headers[f"{prefix}-reset"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class HeldBack:
    """No post left in some quota: try again at ``until`` (epoch seconds)."""

    until: float

    def delay_ms(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return max(int((self.until - now) * 1000), 0)


class XRateLimits:
    def __init__(self, client: redis.Redis, *, margin_s: float = RESET_MARGIN_S) -> None:
        self.redis = client
        self.margin_s = margin_s
        self._reserve = client.register_script(_RESERVE)
        self._settle = client.register_script(_SETTLE)

    @staticmethod
    def _quotas(x_user_id: str) -> list[tuple[str, str]]:
        """(Redis key, header prefix) of every quota a post by this user counts against."""
        return [
            (f"{KEY_PREFIX}:{USER_WINDOW[0]}:{x_user_id}", USER_WINDOW[1]),
            (f"{KEY_PREFIX}:{USER_DAY[0]}:{x_user_id}", USER_DAY[1]),
            (f"{KEY_PREFIX}:{APP_DAY[0]}", APP_DAY[1]),
        ]

    def reserve(self, x_user_id: str, *, now: float | None = None) -> HeldBack | None:
        """Reserve one post for this user, or say until when it must wait."""
        now = time.time() if now is None else now
        keys = [key for key, _ in self._quotas(x_user_id)]
        hold = self._reserve(keys=keys, args=[repr(now), PENDING_TTL_S])
        if hold is None:
            return None
        return HeldBack(until=float(hold) + self.margin_s)

    def settle(
        self, x_user_id: str, headers: Mapping[str, str] | None, *, reserved: bool = True
    ) -> None:
        """End a reservation (``reserved``) and learn the quotas X's answer names."""
        quotas = self._quotas(x_user_id)
        args: list[str | int | float] = [self.margin_s, "1" if reserved else "0"]
        for _, prefix in quotas:
            window = read_window(headers, prefix) if headers is not None else None
            if window is None:
                args += ["", "", ""]
            else:
                args += [window.limit, window.remaining, window.reset]
        self._settle(keys=[key for key, _ in quotas], args=args)
