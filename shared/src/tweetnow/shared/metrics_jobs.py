"""Prometheus metrics of Dramatiq workers: jobs per actor and queue, and queue depths.

Every worker process records into its group's files (see ``metrics_files``);
one extra process forked by the Dramatiq CLI serves them all on
``METRICS_HOST:METRICS_PORT`` (``GET /metrics``), adding the queue depths read
from Redis at scrape time. Processes that only send (web, scheduler) record
nothing: the metrics start in ``after_process_boot``, which only workers run.

| metric | type | labels |
| --- | --- | --- |
| ``tweetnow_jobs_total`` | counter | queue, actor, outcome (succeeded, retried, failed, skipped) |
| ``tweetnow_job_duration_seconds`` | histogram | queue, actor |
| ``tweetnow_jobs_in_progress`` | gauge | queue, actor |
| ``tweetnow_job_retries_total`` | counter | queue, actor (retries scheduled) |
| ``tweetnow_job_dead_letters_total`` | counter | queue, actor (dead-lettered here) |
| ``tweetnow_queue_messages`` | gauge | queue, state (ready, delayed, dead) |
"""

from __future__ import annotations

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import dramatiq
from dramatiq.common import dq_name, q_name, xq_name
from dramatiq.middleware import Middleware

from .log_setup import get_logger

log = get_logger(__name__)

GROUP = "worker"
#: The queues this group consumes, written by its workers for the exposition process.
QUEUES_FILE = "queues.txt"
DURATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)
#: Dramatiq's Redis key prefix.
REDIS_NAMESPACE = "dramatiq"


class JobMetrics(Middleware):
    def __init__(self) -> None:
        self._path: Path | None = None
        self._started: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def forks(self):
        return [serve_worker_metrics]

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        self._path = path = _group_dir()
        from prometheus_client import Counter, Gauge, Histogram

        labels = ["queue", "actor"]
        self.jobs = Counter(
            "tweetnow_jobs", "Jobs processed, by outcome.", [*labels, "outcome"], registry=None
        )
        self.durations = Histogram(
            "tweetnow_job_duration_seconds",
            "Time spent processing a job attempt.",
            labels,
            buckets=DURATION_BUCKETS,
            registry=None,
        )
        self.in_progress = Gauge(
            "tweetnow_jobs_in_progress",
            "Jobs being processed now.",
            labels,
            multiprocess_mode="livesum",
            registry=None,
        )
        self.retries = Counter("tweetnow_job_retries", "Retries scheduled.", labels, registry=None)
        self.dead_letters = Counter(
            "tweetnow_job_dead_letters",
            "Messages moved to the dead-letter set.",
            labels,
            registry=None,
        )
        queues = sorted({q_name(q) for q in broker.get_declared_queues()})
        (path / QUEUES_FILE).write_text("\n".join(queues) + "\n")

    def after_worker_shutdown(self, broker, worker) -> None:
        if self._path is not None:
            from .metrics_files import mark_dead

            mark_dead(self._path)

    def _labels(self, message: dramatiq.Message) -> tuple[str, str]:
        return q_name(message.queue_name), message.actor_name

    def after_enqueue(self, broker, message: dramatiq.Message, delay) -> None:
        if self._path is not None and message.options.get("retries"):
            self.retries.labels(*self._labels(message)).inc()

    def after_nack(self, broker, message: dramatiq.Message) -> None:
        if self._path is not None:
            self.dead_letters.labels(*self._labels(message)).inc()

    def before_process_message(self, broker, message: dramatiq.Message) -> None:
        if self._path is None:
            return
        with self._lock:
            self._started[message.message_id] = time.perf_counter()
        self.in_progress.labels(*self._labels(message)).inc()

    def after_process_message(
        self, broker, message: dramatiq.Message, *, result=None, exception=None
    ) -> None:
        if self._path is None:
            return
        labels = self._labels(message)
        with self._lock:
            started = self._started.pop(message.message_id, None)
        if started is not None:
            self.durations.labels(*labels).observe(time.perf_counter() - started)
            self.in_progress.labels(*labels).dec()
        if exception is None:
            outcome = "succeeded"
        elif message.failed:
            outcome = "failed"
        else:
            outcome = "retried"
        self.jobs.labels(*labels, outcome).inc()

    def after_skip_message(self, broker, message: dramatiq.Message) -> None:
        if self._path is not None:
            self.jobs.labels(*self._labels(message), "skipped").inc()


def _group_dir() -> Path:
    from .metrics_files import use_group_dir

    return use_group_dir(GROUP)


class QueueDepths:
    """A collector: how many messages wait in each queue now (read from Redis at scrape)."""

    def __init__(self, redis_client: Any, queues: list[str]) -> None:
        self.redis = redis_client
        self.queues = queues

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            "tweetnow_queue_messages",
            "Messages in a queue: ready, delayed (not yet taken by a worker), dead-lettered.",
            labels=["queue", "state"],
        )
        pipe = self.redis.pipeline(transaction=False)
        for queue in self.queues:
            pipe.llen(f"{REDIS_NAMESPACE}:{queue}")
            pipe.llen(f"{REDIS_NAMESPACE}:{dq_name(queue)}")
            pipe.zcard(f"{REDIS_NAMESPACE}:{xq_name(queue)}")
        counts = pipe.execute() if self.queues else []
        for i, queue in enumerate(self.queues):
            for state, count in zip(
                ("ready", "delayed", "dead"), counts[3 * i : 3 * i + 3], strict=True
            ):
                family.add_metric([queue, state], count)
        yield family


def _handler(path: Path, depths: QueueDepths):
    class MetricsHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] not in ("/metrics", "/"):
                self.send_error(404)
                return
            if not depths.queues:
                queues_file = path / QUEUES_FILE
                if queues_file.exists():
                    depths.queues = queues_file.read_text().split()
            try:
                body, content_type = _render(path, depths)
            except Exception as exc:  # Redis away: still serve the job metrics
                log.warning("metrics_queue_depths_unavailable", error=str(exc))
                body, content_type = _render(path)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return MetricsHandler


def _render(path: Path, *collectors: object) -> tuple[bytes, str]:
    from .metrics_files import render

    return render(path, *collectors)


def serve_worker_metrics() -> int:
    """The exposition process the Dramatiq CLI forks (``JobMetrics.forks``)."""
    from .broker import redis_client
    from .settings import get_settings

    settings = get_settings()
    if not settings.metrics_port:
        return 0
    path = _group_dir()
    depths = QueueDepths(redis_client(settings), [])
    try:
        server = ThreadingHTTPServer(
            (settings.metrics_host, settings.metrics_port), _handler(path, depths)
        )
    except OSError as exc:
        log.warning(
            "metrics_port_unavailable", port=settings.metrics_port, error=str(exc), pid=os.getpid()
        )
        return 0
    log.info("metrics_serving", host=settings.metrics_host, port=settings.metrics_port)
    server.serve_forever()
    return 0
