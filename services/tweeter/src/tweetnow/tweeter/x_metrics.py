"""What the tweeter's calls to X look like from Prometheus.

| metric | type | labels |
| --- | --- | --- |
| ``tweetnow_x_responses_total`` | counter | status (X's HTTP status; ``none``: no answer) |
| ``tweetnow_x_quota_remaining`` | gauge | quota (``user``, ``user_day``, ``app_day``) |

``user`` is the lowest of any person's 15-minute windows, ``user_day`` the
lowest of any person's day, ``app_day`` the app's day.

The counter is recorded by the ``post_tweet`` actor in the worker processes
(in the group's multiprocess files, like the job metrics), and made at boot
by :class:`XResponseMetrics`; the gauge is read
from the quotas kept in Redis (``tweetnow.tweeter.x_rate_limits``) at scrape
time by the worker's ``/metrics`` (``tweetnow.shared.metrics.ScrapeCollectors``),
so every replica reports the same. A quota X has not reported yet, or whose
window has ended, is not in the gauge.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, cast

import dramatiq
import redis
from dramatiq.middleware import Middleware

from .x_rate_limits import APP_DAY, KEY_PREFIX, USER_DAY, USER_WINDOW

#: Keys read per SCAN call while looking for the people's quotas.
SCAN_COUNT = 1000

_responses: Any = None
#: Served from each process's start at 0: the first 429 is then an increase Prometheus sees.
ALERTED_STATUS = "429"


def _counter() -> Any:
    global _responses
    if _responses is None:
        from prometheus_client import Counter

        _responses = Counter(
            "tweetnow_x_responses", "Answers from X, by HTTP status.", ["status"], registry=None
        )
        _responses.labels(ALERTED_STATUS)
    return _responses


class XResponseMetrics(Middleware):
    """Makes ``tweetnow_x_responses_total`` as each worker process boots.

    After the project's :class:`~tweetnow.shared.metrics.JobMetrics`, which
    points the process at its group's metrics files."""

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        _counter()


def count_x_response(status: int | None) -> None:
    """Count one answer from X (``None``: the call got no answer)."""
    _counter().labels("none" if status is None else str(status)).inc()


class XQuotaRemaining:
    """A collector: posts left in X's quotas now, the lowest of each kind."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def _lowest(self, keys: list[bytes], now: float) -> int | None:
        if not keys:
            return None
        pipe = self.redis.pipeline(transaction=False)
        for key in keys:
            pipe.hmget(key, "remaining", "reset")
        lowest = None
        for remaining, reset in cast(list[list[bytes | None]], pipe.execute()):
            if remaining is None or reset is None or float(reset) <= now:
                continue
            if lowest is None or int(remaining) < lowest:
                lowest = int(remaining)
        return lowest

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        now = time.time()
        family = GaugeMetricFamily(
            "tweetnow_x_quota_remaining",
            "Posts left in X's quotas: the lowest person's window and day, and the app's day.",
            labels=["quota"],
        )
        for quota, pattern in (
            (USER_WINDOW[0], f"{KEY_PREFIX}:{USER_WINDOW[0]}:*"),
            (USER_DAY[0], f"{KEY_PREFIX}:{USER_DAY[0]}:*"),
        ):
            keys = list(self.redis.scan_iter(match=pattern, count=SCAN_COUNT))
            lowest = self._lowest(keys, now)
            if lowest is not None:
                family.add_metric([quota], lowest)
        app = self._lowest([f"{KEY_PREFIX}:{APP_DAY[0]}".encode()], now)
        if app is not None:
            family.add_metric([APP_DAY[0]], app)
        yield family
