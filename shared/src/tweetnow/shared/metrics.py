"""Prometheus metrics: where a group of processes keeps them, and the workers' job metrics.

gunicorn and the Dramatiq CLI run several processes under one parent; any of
them may answer a scrape, so each writes its samples to files in one directory
per process group (prometheus_client multiprocess mode) and a scrape adds them
up. The directory is
``<PROMETHEUS_MULTIPROC_DIR or the temp dir>/tweetnow-<group>-<parent pid>-<parent start>``:
the web and the workers of one machine never mix, and a restarted group (same
pid in a restarted container) starts from empty files. ``prometheus_client``
decides at import time whether it runs in multiprocess mode: call
:func:`use_group_dir` before metrics are made (it switches an already imported
prometheus_client over to the group's files).

Every worker process records into its group's files; one extra process forked
by the Dramatiq CLI serves them all on ``METRICS_HOST:METRICS_PORT``
(``GET /metrics``), adding the queue depths read from Redis at scrape time.
Processes that only send (web, scheduler) record nothing: the metrics start in
``after_process_boot``, which only workers run. A worker process tallies its job
metrics in memory and writes them to its files every ``FLUSH_S`` (each write
takes prometheus_client's lock), so a scrape sees an attempt at most that long
after it ended.

| metric | type | labels |
| --- | --- | --- |
| ``tweetnow_jobs_total`` | counter | queue, actor, outcome (succeeded, retried, failed, skipped) |
| ``tweetnow_job_duration_seconds`` | histogram | queue, actor |
| ``tweetnow_jobs_in_progress`` | gauge | queue, actor |
| ``tweetnow_job_retries_total`` | counter | queue, actor (retries scheduled) |
| ``tweetnow_job_dead_letters_total`` | counter | queue, actor (dead-lettered here) |
| ``tweetnow_queue_messages`` | gauge | queue, state (ready, delayed, dead) |
| ``tweetnow_queue_oldest_waiting_seconds`` | gauge | queue (its oldest ready message's wait) |
| ``tweetnow_queue_workers`` | gauge | queue (processes consuming it, any host, alive) |
| ``tweetnow_queue_paused`` | gauge | queue (1 while an operator has it paused) |
| ``tweetnow_worker_quiet`` | gauge | worker (this host's live processes, host:pid; 1 if quiet) |

The last five are read from Redis at scrape time: the queue gauges count for
the whole system (every replica reports the same), the quiet gauge for the
worker processes of the scraped host only. A service adds scrape-time
collectors of its own with :class:`ScrapeCollectors` (the tweeter's X quotas).
"""

from __future__ import annotations

import bisect
import importlib
import json
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import dramatiq
import redis
from dramatiq.broker import MessageProxy
from dramatiq.common import dq_name, q_name, xq_name
from dramatiq.middleware import Middleware

from .db import redis_client
from .jobs import JobState, attempt_outcome
from .logs import get_logger
from .operator_controls import OperatorControls
from .settings import get_settings
from .worker_health import HEARTBEATS_KEY
from .worker_registry import PREFIX as WORKERS
from .worker_registry import RECORD_TTL_S, worker_key

log = get_logger(__name__)

BASE_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
_GROUP_DIR_MARK = "TWEETNOW_METRICS_GROUP_DIR"


def _start_of(pid: int) -> str:
    """The process's start time (clock ticks after boot) on Linux; empty elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # Field 22; the command name (field 2) may hold spaces, so count after its ')'.
    return stat.rsplit(")", 1)[1].split()[19]


def use_group_dir(group: str) -> Path:
    """This process's metrics directory (created), set as prometheus_client's."""
    current = os.environ.get(BASE_DIR_ENV)
    if current and current == os.environ.get(_GROUP_DIR_MARK):
        base = Path(current).parent  # set by this function in this process or its parent
    else:
        base = Path(current or tempfile.gettempdir())
    parent = os.getppid()
    path = base / f"tweetnow-{group}-{parent}-{_start_of(parent)}".rstrip("-")
    path.mkdir(parents=True, exist_ok=True)
    os.environ[BASE_DIR_ENV] = os.environ[_GROUP_DIR_MARK] = str(path)
    values = sys.modules.get("prometheus_client.values")
    if values is not None:
        # Something imported prometheus_client before the directory was chosen:
        # metrics made from now on must still go to the group's files.
        values.ValueClass = values.get_value_class()  # type: ignore[attr-defined]  # set at import, untyped
    return path


def mark_dead(path: Path) -> None:
    """Drop this process's live gauges (in-progress counts) as it exits."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(os.getpid(), str(path))


def render(path: Path, *extra_collectors: object) -> tuple[bytes, str]:
    """The text exposition of every process of the group, plus ``extra_collectors``."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(path))
    for collector in extra_collectors:
        registry.register(collector)  # type: ignore[arg-type]  # duck-typed collectors
    return generate_latest(registry), CONTENT_TYPE_LATEST


GROUP = "worker"
#: The queues this group consumes, written by its workers for the exposition process.
QUEUES_FILE = "queues.txt"
#: The service's own scrape-time collectors (``module:factory``), written the same way.
COLLECTORS_FILE = "collectors.txt"
#: The ``outcome`` label of ``tweetnow_jobs_total`` for each way an attempt ends.
OUTCOME_LABELS = {JobState.RETRYING: "retried"}
DURATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)
#: Dramatiq's Redis key prefix.
REDIS_NAMESPACE = "dramatiq"


#: How often a worker process writes its tallied job metrics to its files.
FLUSH_S = 0.5


@dataclass(frozen=True)
class _ActorSeries:
    """One queue and actor's labelled children of the job metrics."""

    durations: Any
    in_progress: Any
    jobs: dict[str, Any]


_BOUNDS = (*DURATION_BUCKETS, float("inf"))


@dataclass
class _Tally:
    """One queue and actor's job metrics since the last flush."""

    #: Attempts started minus attempts ended.
    running: int = 0
    #: Durations per bucket of ``DURATION_BUCKETS`` (then +Inf), not cumulative.
    buckets: list[int] = field(default_factory=lambda: [0] * len(_BOUNDS))
    seconds: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)


class JobMetrics(Middleware):
    def __init__(self, flush_s: float = FLUSH_S) -> None:
        self._path: Path | None = None
        self._started: dict[str, float] = {}
        self._lock = threading.Lock()
        self._by_actor: dict[tuple[str, str], _ActorSeries] = {}
        self._tallies: dict[tuple[str, str], _Tally] = {}
        self._flush_s = flush_s
        self._stop_flushing = threading.Event()

    @property
    def forks(self) -> list[Any]:
        return [serve_worker_metrics]

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        path = use_group_dir(GROUP)
        self.record_into(path)
        queues = sorted({q_name(q) for q in broker.get_declared_queues()})
        (path / QUEUES_FILE).write_text("\n".join(queues) + "\n")

    def record_into(self, path: Path, registry: Any = None) -> None:
        """Make the metrics and start recording (``registry`` for a test's own)."""
        from prometheus_client import Counter, Gauge, Histogram

        labels = ["queue", "actor"]
        self.jobs = Counter(
            "tweetnow_jobs", "Jobs processed, by outcome.", [*labels, "outcome"], registry=registry
        )
        self.durations = Histogram(
            "tweetnow_job_duration_seconds",
            "Time spent processing a job attempt.",
            labels,
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.in_progress = Gauge(
            "tweetnow_jobs_in_progress",
            "Jobs being processed now.",
            labels,
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.retries = Counter(
            "tweetnow_job_retries", "Retries scheduled.", labels, registry=registry
        )
        self.dead_letters = Counter(
            "tweetnow_job_dead_letters",
            "Messages moved to the dead-letter set.",
            labels,
            registry=registry,
        )
        self._path = path

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if self._path is not None:
            threading.Thread(target=self._keep_flushing, name="job-metrics", daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop_flushing.set()

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if self._path is not None:
            self.flush()
            mark_dead(self._path)

    def _keep_flushing(self) -> None:
        while not self._stop_flushing.wait(self._flush_s):
            try:
                self.flush()
            except Exception:
                log.exception("job_metrics_flush_failed")

    def flush(self) -> None:
        """Write what was tallied since the last flush to this process's files."""
        with self._lock:
            tallies, self._tallies = self._tallies, {}
        for labels, tally in tallies.items():
            series = self._series(labels)
            if tally.running:
                series.in_progress.inc(tally.running)
            if any(tally.buckets):
                # Histogram.observe adds one to the sum and to the first bucket whose bound
                # holds the value; the same, n at a time (values of prometheus_client's).
                series.durations._sum.inc(tally.seconds)
                for bucket, count in zip(series.durations._buckets, tally.buckets, strict=True):
                    if count:
                        bucket.inc(count)
            for outcome, count in tally.outcomes.items():
                self._counter(labels, series, outcome).inc(count)

    def _labels(self, message: dramatiq.Message[Any] | MessageProxy) -> tuple[str, str]:
        return q_name(message.queue_name), message.actor_name

    def after_enqueue(
        self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int | None
    ) -> None:
        if self._path is not None and message.options.get("retries"):
            self.retries.labels(*self._labels(message)).inc()

    def after_nack(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        if self._path is not None:
            self.dead_letters.labels(*self._labels(message)).inc()

    def _series(self, labels: tuple[str, str]) -> _ActorSeries:
        """The labelled series of a queue and actor, looked up once per pair
        (prometheus_client's ``labels()`` checks and locks on every call)."""
        series = self._by_actor.get(labels)
        if series is None:
            series = self._by_actor[labels] = _ActorSeries(
                durations=self.durations.labels(*labels),
                in_progress=self.in_progress.labels(*labels),
                jobs={},
            )
        return series

    def _counter(self, labels: tuple[str, str], series: _ActorSeries, outcome: str) -> Any:
        counter = series.jobs.get(outcome)
        if counter is None:  # made at its first use: no zero series for outcomes never seen
            counter = series.jobs[outcome] = self.jobs.labels(*labels, outcome)
        return counter

    def _tally(self, labels: tuple[str, str]) -> _Tally:
        """The pair's tally (the caller holds the lock)."""
        tally = self._tallies.get(labels)
        if tally is None:
            tally = self._tallies[labels] = _Tally()
        return tally

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        if self._path is None:
            return
        labels = self._labels(message)
        with self._lock:
            self._started[message.message_id] = time.perf_counter()
            self._tally(labels).running += 1

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any | None = None,
        exception: BaseException | None = None,
    ) -> None:
        if self._path is None:
            return
        ended = time.perf_counter()
        outcome = attempt_outcome(message, exception)
        self._count(message, OUTCOME_LABELS.get(outcome, outcome), ended)

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        if self._path is not None:
            self._count(message, "skipped", None)

    def _count(self, message: MessageProxy, outcome: str, ended: float | None) -> None:
        labels = self._labels(message)
        with self._lock:
            tally = self._tally(labels)
            started = self._started.pop(message.message_id, None)
            if started is not None and ended is not None:
                seconds = ended - started
                tally.running -= 1
                tally.buckets[bisect.bisect_left(_BOUNDS, seconds)] += 1
                tally.seconds += seconds
            tally.outcomes[outcome] = tally.outcomes.get(outcome, 0) + 1


class QueueDepths:
    """A collector: how many messages wait in each queue now, and for how long (read at scrape)."""

    def __init__(self, client: redis.Redis, queues: list[str]) -> None:
        self.redis = client
        self.queues = queues

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            "tweetnow_queue_messages",
            "Messages in a queue: ready, delayed (not yet taken by a worker), dead-lettered.",
            labels=["queue", "state"],
        )
        oldest = GaugeMetricFamily(
            "tweetnow_queue_oldest_waiting_seconds",
            "How long the queue's oldest ready message has been due (0 when none waits).",
            labels=["queue"],
        )
        pipe = self.redis.pipeline(transaction=False)
        for queue in self.queues:
            pipe.llen(f"{REDIS_NAMESPACE}:{queue}")
            pipe.llen(f"{REDIS_NAMESPACE}:{dq_name(queue)}")
            pipe.zcard(f"{REDIS_NAMESPACE}:{xq_name(queue)}")
            pipe.lindex(f"{REDIS_NAMESPACE}:{queue}", 0)
        rows = pipe.execute() if self.queues else []
        pipe = self.redis.pipeline(transaction=False)
        for i, queue in enumerate(self.queues):
            pipe.hget(f"{REDIS_NAMESPACE}:{queue}.msgs", rows[4 * i + 3] or b"")
        heads = pipe.execute() if self.queues else []
        now_ms = time.time() * 1000
        for i, queue in enumerate(self.queues):
            for state, count in zip(
                ("ready", "delayed", "dead"), rows[4 * i : 4 * i + 3], strict=True
            ):
                family.add_metric([queue, state], count)
            oldest.add_metric([queue], waiting_s(heads[i], now_ms))
        yield family
        yield oldest


def waiting_s(raw: bytes | None, now_ms: float) -> float:
    """How long a ready message has been due: since it was sent, or since its delay ended.

    0 without a readable payload (the queue is empty, or a worker took the
    message between the two reads)."""
    if not raw:
        return 0.0
    try:
        message = json.loads(raw)
        due_ms = max(int(message["message_timestamp"]), int(message["options"].get("eta") or 0))
    except (ValueError, KeyError, TypeError, AttributeError):
        return 0.0
    return max(0.0, (now_ms - due_ms) / 1000)


class QueueWorkers:
    """A collector: how many worker processes, on any host, consume each queue and are alive.

    Alive is Dramatiq's own rule (``tweetnow.shared.worker_health``): a heartbeat
    younger than ``HEARTBEAT_TIMEOUT_MS`` under the broker id the process registered."""

    def __init__(self, depths: QueueDepths, heartbeat_timeout_ms: int) -> None:
        self.depths = depths  # whose queue list the handler fills in
        self.heartbeat_timeout_ms = heartbeat_timeout_ms

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        client = self.depths.redis
        found = client.zrangebyscore(WORKERS, time.time() - RECORD_TTL_S, "+inf")
        names = [n.decode() for n in cast(list[bytes], found)]
        pipe = client.pipeline(transaction=False)
        for name in names:
            pipe.hmget(worker_key(name), "broker_id", "queues")
        records = cast(list[list[bytes | None]], pipe.execute() if names else [])
        pipe = client.pipeline(transaction=False)
        for broker_id, _ in records:
            pipe.zscore(HEARTBEATS_KEY, broker_id or b"")
        beats = pipe.execute() if records else []
        fresh_since_ms = time.time() * 1000 - self.heartbeat_timeout_ms
        counts = dict.fromkeys(self.depths.queues, 0)
        for (_, queues), beat in zip(records, beats, strict=True):
            if beat is None or beat < fresh_since_ms or not queues:
                continue
            for queue in queues.decode().split(","):
                if queue in counts:
                    counts[queue] += 1
        family = GaugeMetricFamily(
            "tweetnow_queue_workers",
            "Worker processes (any host) consuming the queue with a fresh Dramatiq heartbeat.",
            labels=["queue"],
        )
        for queue, count in counts.items():
            family.add_metric([queue], count)
        yield family


class ScrapeCollectors(Middleware):
    """A service's own scrape-time collectors, served beside the job metrics.

    Each is named ``module:factory``; the exposition process imports it and
    calls ``factory(redis_client)`` for a collector (an object with ``collect``).
    """

    def __init__(self, *factories: str) -> None:
        self.factories = factories

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        (use_group_dir(GROUP) / COLLECTORS_FILE).write_text("\n".join(self.factories) + "\n")


def service_collectors(path: Path, client: redis.Redis) -> list[object]:
    """The collectors the group's workers declared (:class:`ScrapeCollectors`)."""
    listed = path / COLLECTORS_FILE
    if not listed.exists():
        return []
    collectors = []
    for name in listed.read_text().split():
        module, _, factory = name.partition(":")
        collectors.append(getattr(importlib.import_module(module), factory)(client))
    return collectors


class ControlStates:
    """A collector: which of the group's queues are paused, which of this host's workers quiet."""

    def __init__(self, depths: QueueDepths, host: str | None = None) -> None:
        self.depths = depths  # whose queue list the handler fills in
        self.host = host or socket.gethostname()

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        controls = OperatorControls(self.depths.redis)
        paused = controls.paused_queues()
        queue_family = GaugeMetricFamily(
            "tweetnow_queue_paused",
            "1 while an operator has the queue paused: its workers take no new messages from it.",
            labels=["queue"],
        )
        for queue in self.depths.queues:
            queue_family.add_metric([queue], int(queue in paused))
        yield queue_family
        found = self.depths.redis.zrangebyscore(WORKERS, time.time() - RECORD_TTL_S, "+inf")
        # Without scores, ZRANGEBYSCORE answers members only.
        alive = [n.decode() for n in cast(list[bytes], found)]
        names = [n for n in alive if n.startswith(f"{self.host}:")]
        quiet = controls.quiet_workers(names)
        worker_family = GaugeMetricFamily(
            "tweetnow_worker_quiet",
            "1 when an operator has quieted the worker process: it takes no new messages.",
            labels=["worker"],
        )
        for name in names:
            worker_family.add_metric([name], int(name in quiet))
        yield worker_family


def _handler(
    path: Path, depths: QueueDepths, heartbeat_timeout_ms: int
) -> type[BaseHTTPRequestHandler]:
    extras: list[object] = []  # the service's collectors, once its workers have named them

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
                if not extras:
                    extras.extend(service_collectors(path, depths.redis))
                body, content_type = render(
                    path,
                    depths,
                    QueueWorkers(depths, heartbeat_timeout_ms),
                    ControlStates(depths),
                    *extras,
                )
            except Exception as exc:  # Redis away: still serve the job metrics
                log.warning("metrics_queue_depths_unavailable", error=str(exc))
                body, content_type = render(path)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return MetricsHandler


def serve_worker_metrics() -> int:
    """The exposition process the Dramatiq CLI forks (``JobMetrics.forks``)."""
    settings = get_settings()
    if not settings.metrics_port:
        return 0
    path = use_group_dir(GROUP)
    depths = QueueDepths(redis_client(settings), [])
    try:
        server = ThreadingHTTPServer(
            (settings.metrics_host, settings.metrics_port),
            _handler(path, depths, settings.heartbeat_timeout_ms),
        )
    except OSError as exc:
        log.warning(
            "metrics_port_unavailable", port=settings.metrics_port, error=str(exc), pid=os.getpid()
        )
        return 0
    log.info("metrics_serving", host=settings.metrics_host, port=settings.metrics_port)
    server.serve_forever()
    return 0
