"""From what a soak run recorded to its numbers and its verdict: per-interval rates and
percentiles, every container's memory at the start, the end of the warm-up and the
end, and whether the run passed. No I/O here: the recorder and the samplers feed it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bench.stats import percentile

#: The request whose latency is the accept latency: a tweet taken and queued.
ACCEPT = "POST /api/tweets"

#: Containers whose memory is judged: our own processes. The data stores grow with the
#: data they hold (every job record, every row), and the X sandbox and MailDev are
#: development stand-ins that keep every tweet and mail in memory by design; their
#: memory is reported, not judged.
JUDGED_SERVICES = frozenset({"web", "tweeter", "mailer", "scheduler"})


@dataclass(frozen=True)
class Request:
    """One request locust made: when it ended (epoch s), its name, how long, and whether
    it got the answer it expected."""

    t: float
    name: str
    ms: float
    ok: bool


@dataclass(frozen=True)
class QueueSample:
    t: float
    #: Redis key (without the namespace) -> messages in it: ``tweets``, ``tweets.DQ``, ...
    depths: dict[str, int]


@dataclass(frozen=True)
class MemorySample:
    t: float
    #: container name -> anonymous memory of its cgroup, in MiB
    mib: dict[str, float]


@dataclass(frozen=True)
class IntervalRow:
    start_s: float
    requests: int
    rps: float
    accept_p50_ms: float | None
    accept_p99_ms: float | None
    all_p99_ms: float | None
    errors: int
    #: the most messages seen waiting in each queue during the interval
    queue_max: dict[str, int] = field(default_factory=dict)

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0


def interval_rows(
    requests: Iterable[Request],
    queues: Iterable[QueueSample],
    *,
    start: float,
    end: float,
    interval_s: float,
) -> list[IntervalRow]:
    """One row per ``interval_s`` from ``start`` to ``end`` (the last one may be shorter):
    requests a second, accept p50/p99, p99 of every request, errors, deepest queues."""
    count = max(1, int(-(-(end - start) // interval_s)))
    by_slot: list[list[Request]] = [[] for _ in range(count)]
    for r in requests:
        if start <= r.t <= end:
            by_slot[min(count - 1, int((r.t - start) // interval_s))].append(r)
    deepest: list[dict[str, int]] = [{} for _ in range(count)]
    for q in queues:
        if start <= q.t <= end:
            slot = deepest[min(count - 1, int((q.t - start) // interval_s))]
            for key, n in q.depths.items():
                slot[key] = max(slot.get(key, 0), n)
    rows = []
    for i, done in enumerate(by_slot):
        slot_start = start + i * interval_s
        length = min(interval_s, end - slot_start) or interval_s
        accepted = [r.ms for r in done if r.name == ACCEPT]
        every = [r.ms for r in done]
        rows.append(
            IntervalRow(
                start_s=i * interval_s,
                requests=len(done),
                rps=len(done) / length,
                accept_p50_ms=statistics.median(accepted) if accepted else None,
                accept_p99_ms=percentile(accepted, 99) if accepted else None,
                all_p99_ms=percentile(every, 99) if every else None,
                errors=sum(not r.ok for r in done),
                queue_max=deepest[i],
            )
        )
    return rows


def memory_near(
    samples: Sequence[MemorySample], container: str, at: float, window_s: float
) -> float | None:
    """The container's memory around ``at``: the median of its samples in the
    ``window_s`` before it (one sample is noise: a request in flight, a collection not
    yet run), else the last sample before it."""
    mine = [(s.t, s.mib[container]) for s in samples if container in s.mib and s.t <= at]
    if not mine:
        return None
    near = [mib for t, mib in mine if t >= at - window_s]
    return statistics.median(near) if near else mine[-1][1]


@dataclass(frozen=True)
class MemoryRow:
    container: str
    service: str
    start_mib: float | None
    warm_mib: float | None
    end_mib: float | None
    judged: bool

    @property
    def growth_pct(self) -> float | None:
        """Growth from the end of the warm-up to the end, in % of the former."""
        if not self.warm_mib or self.end_mib is None:
            return None
        return (self.end_mib - self.warm_mib) / self.warm_mib * 100


def memory_rows(
    samples: Sequence[MemorySample],
    services: dict[str, str],
    *,
    start: float,
    warm: float,
    end: float,
    window_s: float,
) -> list[MemoryRow]:
    """Per container (``services``: container name -> compose service), its memory at
    the start (the first sample), at the end of the warm-up and at the end."""
    rows = []
    for container, service in sorted(services.items(), key=lambda cs: (cs[1], cs[0])):
        seen = [s.mib[container] for s in samples if container in s.mib and s.t >= start]
        rows.append(
            MemoryRow(
                container=container,
                service=service,
                start_mib=seen[0] if seen else None,
                warm_mib=memory_near(samples, container, warm, window_s),
                end_mib=memory_near(samples, container, end, window_s),
                judged=service in JUDGED_SERVICES,
            )
        )
    return rows


@dataclass(frozen=True)
class EndState:
    """What became of every tweet accepted during the run, once the queues drained."""

    accepted: int
    sent: int
    failed: int
    still_queued: int
    #: accepted (answered 202 with its id) but no row, or a row that never got final
    lost: int
    #: texts on X more than once
    duplicated: int


@dataclass(frozen=True)
class Verdict:
    reasons: list[str]

    @property
    def passed(self) -> bool:
        return not self.reasons


def verdict(
    rows: Sequence[IntervalRow],
    memory: Sequence[MemoryRow],
    end: EndState,
    *,
    max_growth_pct: float,
    max_error_rate: float,
) -> Verdict:
    """Failed, with each reason, if a judged container grew more than ``max_growth_pct``
    after the warm-up, more than ``max_error_rate`` of the requests failed, or a tweet
    was lost or posted twice."""
    reasons = []
    for m in memory:
        growth = m.growth_pct
        if m.judged and growth is not None and growth > max_growth_pct:
            reasons.append(
                f"{m.container}: memory grew {growth:.1f}% after the warm-up "
                f"({m.warm_mib:.1f} -> {m.end_mib:.1f} MiB; at most {max_growth_pct:g}%)"
            )
        if m.judged and (m.warm_mib is None or m.end_mib is None):
            reasons.append(f"{m.container}: its memory was not sampled through the run")
    total = sum(r.requests for r in rows)
    errors = sum(r.errors for r in rows)
    if total == 0:
        reasons.append("no request was made")
    elif errors / total > max_error_rate:
        reasons.append(
            f"{errors} of {total} requests failed ({errors / total:.3%}; "
            f"at most {max_error_rate:.3%})"
        )
    if end.lost:
        reasons.append(f"{end.lost} accepted tweets lost")
    if end.duplicated:
        reasons.append(f"{end.duplicated} tweets on X more than once")
    return Verdict(reasons)
