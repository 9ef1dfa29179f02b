"""A worker's job metrics are tallied in memory and written every ``FLUSH_S``: what a
scrape then reads is what writing each attempt at once would have given."""

from __future__ import annotations

from pathlib import Path

import pytest
from dramatiq.broker import MessageProxy
from dramatiq.message import Message
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, values

from tweetnow.shared import metrics
from tweetnow.shared.metrics import DURATION_BUCKETS, JobMetrics

#: Durations on, between and beyond the bucket bounds.
DURATIONS = [0.0, 0.01, 0.0100001, 0.3, 0.3, 2.5, 899.0, 1200.0]


@pytest.fixture(autouse=True)
def _values_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values of this process's own, whatever an earlier test switched prometheus_client to
    (its multiprocess files would add up across tests)."""
    monkeypatch.setattr(values, "ValueClass", values.MutexValue)


def _message(n: int) -> MessageProxy:
    return MessageProxy(Message("tweets", "post_tweet", (), {}, {}, message_id=f"m{n}"))


def _exposition(registry: CollectorRegistry) -> list[str]:
    text = generate_latest(registry).decode()
    return sorted(line for line in text.splitlines() if "_created" not in line)


def test_a_flush_writes_what_observing_each_attempt_would_have(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tallied = CollectorRegistry()
    job_metrics = JobMetrics()
    job_metrics.record_into(tmp_path, tallied)
    clock = iter(t for d in DURATIONS for t in (0.0, d))
    monkeypatch.setattr(metrics.time, "perf_counter", lambda: next(clock))
    for n, _ in enumerate(DURATIONS):
        message = _message(n)
        job_metrics.before_process_message(None, message)  # type: ignore[arg-type]
        job_metrics.after_process_message(None, message, exception=None)  # type: ignore[arg-type]
    still_running = _message(99)
    monkeypatch.setattr(metrics.time, "perf_counter", lambda: 0.0)
    job_metrics.before_process_message(None, still_running)  # type: ignore[arg-type]

    done = {"queue": "tweets", "actor": "post_tweet"}
    assert tallied.get_sample_value("tweetnow_job_duration_seconds_count", done) is None
    job_metrics.flush()

    observed = CollectorRegistry()
    labels = ["queue", "actor"]
    jobs = Counter(
        "tweetnow_jobs", "Jobs processed, by outcome.", [*labels, "outcome"], registry=observed
    )
    durations = Histogram(
        "tweetnow_job_duration_seconds",
        "Time spent processing a job attempt.",
        labels,
        buckets=DURATION_BUCKETS,
        registry=observed,
    )
    in_progress = Gauge(
        "tweetnow_jobs_in_progress", "Jobs being processed now.", labels, registry=observed
    )
    Counter("tweetnow_job_retries", "Retries scheduled.", labels, registry=observed)
    Counter(
        "tweetnow_job_dead_letters",
        "Messages moved to the dead-letter set.",
        labels,
        registry=observed,
    )
    for seconds in DURATIONS:
        durations.labels("tweets", "post_tweet").observe(seconds)
        jobs.labels("tweets", "post_tweet", "succeeded").inc()
    in_progress.labels("tweets", "post_tweet").inc()

    assert _exposition(tallied) == _exposition(observed)


def test_a_second_flush_adds_only_what_came_since(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    job_metrics = JobMetrics()
    job_metrics.record_into(tmp_path, registry)
    for n in range(3):
        job_metrics.before_process_message(None, _message(n))  # type: ignore[arg-type]
        job_metrics.after_process_message(None, _message(n), exception=None)  # type: ignore[arg-type]
    job_metrics.flush()
    job_metrics.flush()
    job_metrics.after_skip_message(None, _message(7))  # type: ignore[arg-type]
    job_metrics.flush()
    done = dict(queue="tweets", actor="post_tweet")
    assert registry.get_sample_value("tweetnow_jobs_total", {**done, "outcome": "succeeded"}) == 3
    assert registry.get_sample_value("tweetnow_jobs_total", {**done, "outcome": "skipped"}) == 1
    assert registry.get_sample_value("tweetnow_job_duration_seconds_count", done) == 3
    assert registry.get_sample_value("tweetnow_jobs_in_progress", done) == 0
