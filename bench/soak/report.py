"""The soak report: markdown for people (printed, and kept in bench/results/) and JSON
with the same numbers and every sample."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from bench.soak.plan import SoakPlan
from bench.soak.verdict import (
    EndState,
    IntervalRow,
    MemoryRow,
    MemorySample,
    QueueSample,
    Verdict,
)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "| " + " | ".join("---" for _ in head) + " |",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def interval_table(rows: Sequence[IntervalRow]) -> list[str]:
    return _table(
        (
            "from",
            "req/s",
            "accept p50 ms",
            "accept p99 ms",
            "all p99 ms",
            "errors",
            "tweets queued (max)",
            "tweets delayed (max)",
        ),
        [
            (
                f"{r.start_s:.0f} s",
                f"{r.rps:.1f}",
                _ms(r.accept_p50_ms),
                _ms(r.accept_p99_ms),
                _ms(r.all_p99_ms),
                f"{r.errors} ({r.error_rate:.2%})",
                str(r.queue_max.get("tweets", "-")),
                str(r.queue_max.get("tweets.DQ", "-")),
            )
            for r in rows
        ],
    )


def memory_table(rows: Sequence[MemoryRow]) -> list[str]:
    return _table(
        ("container", "start MiB", "warm-up end MiB", "end MiB", "after warm-up"),
        [
            (
                m.container,
                _mib(m.start_mib),
                _mib(m.warm_mib),
                _mib(m.end_mib),
                ("-" if m.growth_pct is None else f"{m.growth_pct:+.1f}%")
                + ("" if m.judged else " (not judged)"),
            )
            for m in rows
        ],
    )


def markdown(
    *,
    title: str,
    plan: SoakPlan,
    setup: dict[str, object],
    rows: Sequence[IntervalRow],
    memory: Sequence[MemoryRow],
    end: EndState,
    verdict: Verdict,
) -> str:
    total = sum(r.requests for r in rows)
    errors = sum(r.errors for r in rows)
    lines = [
        f"# {title}",
        "",
        f"{plan.duration_s:.0f} s of load at {plan.rate:g} requests/s ({plan.users} people),"
        f" warm-up {plan.warmup_s:.0f} s; samples every {plan.sample_every_s:g} s.",
        "",
        *(f"- {key}: {value}" for key, value in setup.items()),
        "",
        "## Requests",
        "",
        *interval_table(rows),
        "",
        f"{total} requests, {errors} errors ({errors / total if total else 0:.3%}).",
        "",
        "## Memory (anonymous memory of each container's cgroup)",
        "",
        *memory_table(memory),
        "",
        "## End state",
        "",
        *_table(
            ("accepted", "sent", "failed", "still queued", "lost", "duplicated"),
            [
                (
                    str(end.accepted),
                    str(end.sent),
                    str(end.failed),
                    str(end.still_queued),
                    str(end.lost),
                    str(end.duplicated),
                )
            ],
        ),
        "",
        "## Verdict",
        "",
        "passed" if verdict.passed else "FAILED",
        *(f"- {reason}" for reason in verdict.reasons),
        "",
    ]
    return "\n".join(lines)


def as_json(
    *,
    plan: SoakPlan,
    setup: dict[str, object],
    rows: Sequence[IntervalRow],
    memory: Sequence[MemoryRow],
    end: EndState,
    verdict: Verdict,
    start: float,
    queues: Sequence[QueueSample],
    memory_samples: Sequence[MemorySample],
) -> dict[str, object]:
    return {
        "plan": plan.as_json(),
        "setup": setup,
        "intervals": [asdict(r) | {"error_rate": r.error_rate} for r in rows],
        "memory": [asdict(m) | {"growth_pct": m.growth_pct} for m in memory],
        "end_state": asdict(end),
        "passed": verdict.passed,
        "reasons": verdict.reasons,
        "samples": {
            "queues": [{"s": round(q.t - start, 1), **q.depths} for q in queues],
            "memory_mib": [
                {"s": round(s.t - start, 1), **{k: round(v, 2) for k, v in s.mib.items()}}
                for s in memory_samples
            ],
        },
    }
