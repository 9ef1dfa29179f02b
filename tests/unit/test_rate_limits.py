"""X's quotas in Redis: reserve atomically, learn from headers, hold back until the reset."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import redis

from tweetnow.tweeter.x_rate_limits import RESET_MARGIN_S, XRateLimits

NOW = 1_900_000_000.0


def headers(remaining: int, reset: float, limit: int = 100) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(int(reset)),
    }


def test_an_unknown_quota_is_open(redis_client: redis.Redis):
    limits = XRateLimits(redis_client)
    assert limits.reserve("1", now=NOW) is None


def test_a_spent_window_holds_back_until_its_reset(redis_client: redis.Redis):
    limits = XRateLimits(redis_client)
    assert limits.reserve("1", now=NOW) is None
    limits.settle("1", headers(0, NOW + 60))
    held = limits.reserve("1", now=NOW + 1)
    assert held is not None and held.until == NOW + 60 + RESET_MARGIN_S
    assert held.delay_ms(now=NOW + 1) == int((59 + RESET_MARGIN_S) * 1000)
    assert limits.reserve("2", now=NOW + 1) is None  # another user's quota is their own
    assert limits.reserve("1", now=NOW + 61) is None  # the window has reset


def test_reservations_never_exceed_what_is_left(redis_client: redis.Redis):
    limits = XRateLimits(redis_client)
    limits.reserve("1", now=NOW)
    limits.settle("1", headers(10, NOW + 60))
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: limits.reserve("1", now=NOW + 1), range(50)))
    assert sum(r is None for r in results) == 10


def test_answers_out_of_order_keep_the_lowest_remaining(redis_client: redis.Redis):
    limits = XRateLimits(redis_client)
    for _ in range(3):
        limits.reserve("1", now=NOW)
    limits.settle("1", headers(1, NOW + 60))
    limits.settle("1", headers(2, NOW + 60))  # an earlier request answered late
    limits.settle("1", headers(0, NOW + 60))
    assert limits.reserve("1", now=NOW + 1) is not None
    # A later reset is a new window.
    limits.settle("1", headers(99, NOW + 120), reserved=False)
    assert limits.reserve("1", now=NOW + 61) is None


def test_the_app_day_quota_holds_every_user(redis_client: redis.Redis):
    limits = XRateLimits(redis_client)
    limits.reserve("1", now=NOW)
    limits.settle(
        "1",
        {
            "x-app-limit-24hour-limit": "10000",
            "x-app-limit-24hour-remaining": "0",
            "x-app-limit-24hour-reset": str(int(NOW + 3600)),
        },
    )
    held = limits.reserve("2", now=NOW + 1)
    assert held is not None and held.until == NOW + 3600 + RESET_MARGIN_S
