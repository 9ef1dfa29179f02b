"""Tweet ids shaped like X's snowflakes: milliseconds since X's epoch, shifted left 22 bits.

They increase with time, so they keep increasing across sandbox restarts, and
strictly increase within one process.
"""

from __future__ import annotations

#: X's snowflake epoch (2010-11-04T01:42:54.657Z), in milliseconds.
SNOWFLAKE_EPOCH_MS = 1288834974657


class TweetIds:
    """Not thread-safe: the caller holds the sandbox's lock."""

    def __init__(self) -> None:
        self._last = 0

    def next(self, now: float) -> int:
        from_time = (int(now * 1000) - SNOWFLAKE_EPOCH_MS) << 22
        self._last = max(self._last + 1, from_time)
        return self._last
