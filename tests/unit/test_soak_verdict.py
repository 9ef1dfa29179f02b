"""The numbers and the verdict of ``make soak`` (bench/soak), from recorded requests and
samples: per-interval rates and percentiles, memory growth after the warm-up, and what
fails a run."""

from __future__ import annotations

import pytest

from bench.soak.plan import SoakPlan, seconds
from bench.soak.samplers import anon_bytes
from bench.soak.verdict import (
    ACCEPT,
    EndState,
    MemorySample,
    QueueSample,
    Request,
    interval_rows,
    memory_near,
    memory_rows,
    verdict,
)

T0 = 1_000_000.0
ALL_DONE = EndState(accepted=10, sent=10, failed=0, still_queued=0, lost=0, duplicated=0)


def test_durations_read_as_make_knobs_are_written():
    assert [seconds(t) for t in ("10m", "60s", "1h", "90", "1.5m")] == [600, 60, 3600, 90, 90]
    for bad in ("", "ten minutes", "5d", "0s", "-1m"):
        with pytest.raises(ValueError):
            seconds(bad)


def test_the_default_warm_up_is_a_fifth_and_the_table_has_ten_rows_of_at_least_10_s():
    ten = SoakPlan.from_knobs(duration="10m")
    assert (ten.warmup_s, ten.interval_s) == (120, 60)
    short = SoakPlan.from_knobs(duration="60s")
    assert (short.warmup_s, short.interval_s) == (12, 10)
    assert SoakPlan.from_knobs(duration="10m", warmup="3m").warmup_s == 180
    with pytest.raises(ValueError, match="warm-up"):
        SoakPlan.from_knobs(duration="60s", warmup="2m")


def test_each_interval_has_its_own_rate_accept_percentiles_errors_and_deepest_queues():
    requests = [
        # 0-10 s: 10 accepts of 10..100 ms, 10 polls of 500 ms, one of which failed
        *(Request(T0 + i * 0.5, ACCEPT, 10.0 * (i + 1), True) for i in range(10)),
        *(Request(T0 + 5 + i * 0.4, "GET /api/jobs/{id}", 500.0, i != 3) for i in range(10)),
        # 10-20 s: 5 list requests only
        *(Request(T0 + 10 + i, "GET /api/tweets", 20.0, True) for i in range(5)),
        # outside the run: not counted
        Request(T0 - 1, ACCEPT, 9999.0, False),
        Request(T0 + 25, ACCEPT, 9999.0, False),
    ]
    queues = [
        QueueSample(T0 + 2, {"tweets": 3, "tweets.DQ": 0}),
        QueueSample(T0 + 7, {"tweets": 8, "tweets.DQ": 1}),
        QueueSample(T0 + 12, {"tweets": 0, "tweets.DQ": 2}),
    ]
    first, second = interval_rows(requests, queues, start=T0, end=T0 + 20, interval_s=10)

    assert (first.requests, first.rps, first.errors) == (20, 2.0, 1)
    assert first.error_rate == 0.05
    assert first.accept_p50_ms == 55.0  # the median of 10, 20, ..., 100
    assert first.accept_p99_ms == 100.0
    assert first.all_p99_ms == 500.0
    assert first.queue_max == {"tweets": 8, "tweets.DQ": 1}

    assert (second.start_s, second.requests, second.rps, second.errors) == (10, 5, 0.5, 0)
    assert second.accept_p50_ms is None and second.accept_p99_ms is None
    assert second.all_p99_ms == 20.0
    assert second.queue_max == {"tweets": 0, "tweets.DQ": 2}


def test_a_last_short_interval_is_rated_over_its_own_length():
    requests = [Request(T0 + 10 + i * 0.1, "GET /api/me", 5.0, True) for i in range(10)]
    rows = interval_rows(requests, [], start=T0, end=T0 + 15, interval_s=10)
    assert [r.requests for r in rows] == [0, 10]
    assert rows[1].rps == 2.0  # 10 requests in the last 5 s


def samples(container: str, values: list[tuple[float, float]]) -> list[MemorySample]:
    return [MemorySample(T0 + t, {container: mib}) for t, mib in values]


def test_memory_at_a_point_is_the_median_of_the_window_before_it():
    series = samples("web", [(0, 100), (20, 300), (25, 110), (30, 120), (60, 999)])
    # 20..30 s: 300, 110, 120 -> 120; the spike does not make the point
    assert memory_near(series, "web", T0 + 30, window_s=10) == 120
    # nothing within 10 s before 50 s: the last sample before it
    assert memory_near(series, "web", T0 + 50, window_s=10) == 120
    assert memory_near(series, "web", T0 - 1, window_s=10) is None
    assert memory_near(series, "redis", T0 + 30, window_s=10) is None


def memory_case(web_end: float, redis_end: float):
    series = [
        MemorySample(T0, {"s-web-1": 100.0, "s-redis-1": 4.0}),
        MemorySample(T0 + 60, {"s-web-1": 200.0, "s-redis-1": 5.0}),
        MemorySample(T0 + 600, {"s-web-1": web_end, "s-redis-1": redis_end}),
    ]
    return memory_rows(
        series,
        {"s-web-1": "web", "s-redis-1": "redis"},
        start=T0,
        warm=T0 + 60,
        end=T0 + 600,
        window_s=5,
    )


def test_growth_is_measured_from_the_end_of_the_warm_up_not_from_the_start():
    redis, web = memory_case(web_end=210, redis_end=5.0)
    assert (web.start_mib, web.warm_mib, web.end_mib) == (100, 200, 210)
    assert web.growth_pct == pytest.approx(5.0)
    assert web.judged and not redis.judged
    assert verdict([], [web, redis], ALL_DONE, max_growth_pct=10, max_error_rate=0.01).reasons == [
        "no request was made"
    ]


def test_a_judged_container_growing_over_the_bound_fails_the_run_a_data_store_does_not():
    rows = interval_rows(
        [Request(T0 + 1, ACCEPT, 10.0, True)], [], start=T0, end=T0 + 600, interval_s=60
    )
    grew = verdict(
        rows,
        memory_case(web_end=230, redis_end=50),
        ALL_DONE,
        max_growth_pct=10,
        max_error_rate=0.01,
    )
    assert not grew.passed
    assert len(grew.reasons) == 1 and grew.reasons[0].startswith("s-web-1: memory grew 15.0%")
    flat = verdict(
        rows,
        memory_case(web_end=219, redis_end=50),
        ALL_DONE,
        max_growth_pct=10,
        max_error_rate=0.01,
    )
    assert flat.passed, flat.reasons


def test_errors_over_the_bound_and_lost_or_doubled_tweets_fail_the_run():
    requests = [Request(T0 + i, ACCEPT, 10.0, i >= 2) for i in range(100)]  # 2% failed
    rows = interval_rows(requests, [], start=T0, end=T0 + 100, interval_s=10)
    assert verdict(rows, [], ALL_DONE, max_growth_pct=10, max_error_rate=0.02).passed
    failed = verdict(rows, [], ALL_DONE, max_growth_pct=10, max_error_rate=0.01)
    assert failed.reasons == ["2 of 100 requests failed (2.000%; at most 1.000%)"]
    broken = EndState(accepted=10, sent=8, failed=0, still_queued=0, lost=2, duplicated=1)
    assert verdict(rows, [], broken, max_growth_pct=10, max_error_rate=0.02).reasons == [
        "2 accepted tweets lost",
        "1 tweets on X more than once",
    ]


def test_anonymous_memory_is_read_from_either_cgroup_version():
    v1 = "cache 52428800\nrss 1048576\ntotal_cache 52428800\ntotal_rss 2097152\n"
    v2 = "anon 3145728\nfile 52428800\nkernel 131072\n"
    assert anon_bytes(v1) == 2097152
    assert anon_bytes(v2) == 3145728
    with pytest.raises(ValueError):
        anon_bytes("cache 1\n")
