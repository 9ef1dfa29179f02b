"""The soak's chart (docs/bench/soak.svg, shown in the README): accept p99 per interval
and each container's memory at the end of the warm-up and at the end, drawn with
bench.chart from a report's JSON.

``python -m bench.soak.chart bench/results/soak-<time>.json`` draws it again.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.chart import render

CHART = Path(__file__).resolve().parents[2] / "docs" / "bench" / "soak.svg"


def _span(start_s: float, interval_s: float) -> str:
    if interval_s % 60:
        return f"{start_s:.0f}-{start_s + interval_s:.0f} s"
    return f"{start_s / 60:.0f}-{(start_s + interval_s) / 60:.0f} min"


def chart(report: dict[str, Any]) -> str:
    plan = report["plan"]
    accept = [(_span(row["start_s"], plan["interval_s"]), row) for row in report["intervals"]]
    memory = [m for m in report["memory"] if m["warm_mib"] and m["end_mib"]]
    return render(
        [
            (
                "POST /api/tweets accepted, p99 ms per interval (lower is better)",
                [
                    (label, row["accept_p99_ms"] or 0.0, f"{row['accept_p99_ms'] or 0:.0f} ms")
                    for label, row in accept
                ],
            ),
            (
                "Memory at the end, MiB (after the warm-up: the change; * not judged)",
                [
                    (
                        m["container"].split("-", 2)[-1] + ("" if m["judged"] else " *"),
                        m["end_mib"],
                        f"{m['end_mib']:.0f} MiB ({m['growth_pct']:+.1f}%)",
                    )
                    for m in memory
                ],
            ),
        ],
        footer=(
            f"make soak: {plan['duration_s'] / 60:.0f} min at {plan['rate']:g} req/s, "
            f"warm-up {plan['warmup_s'] / 60:.0f} min; {report['setup']['stack']}"
        ),
    )


def write(report: dict[str, Any]) -> Path:
    CHART.write_text(chart(report))
    return CHART


if __name__ == "__main__":
    print(write(json.loads(Path(sys.argv[1]).read_text())))
