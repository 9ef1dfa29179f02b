"""The same no-op for RQ (a plain function RQ imports by name)."""

from __future__ import annotations

from bench.noop_contract import record_pickup


def bench_noop(sent_at: float) -> None:
    record_pickup(sent_at)
