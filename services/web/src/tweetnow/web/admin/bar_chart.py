"""Jobs per minute as an SVG bar chart, laid out on the server (no script, no inline style)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

WIDTH = 720
HEIGHT = 160
AXIS = 18


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    ok_y: float
    ok_height: float
    failed_y: float
    failed_height: float
    label: str


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    peak: int
    width: int = WIDTH
    height: int = HEIGHT
    plot_height: int = HEIGHT - AXIS


def per_minute_chart(minutes: list[int], ok: list[int], failed: list[int]) -> BarChart:
    """Stacked bars: attempts that succeeded, and those that failed, per minute."""
    peak = max([a + b for a, b in zip(ok, failed, strict=True)] + [1])
    plot = HEIGHT - AXIS
    slot = WIDTH / max(len(minutes), 1)
    bars = []
    for i, (minute, good, bad) in enumerate(zip(minutes, ok, failed, strict=True)):
        good_h = plot * good / peak
        bad_h = plot * bad / peak
        at = datetime.fromtimestamp(minute * 60, UTC)
        bars.append(
            Bar(
                x=round(i * slot + 1, 1),
                width=round(max(slot - 2, 1), 1),
                ok_y=round(plot - good_h, 1),
                ok_height=round(good_h, 1),
                failed_y=round(plot - good_h - bad_h, 1),
                failed_height=round(bad_h, 1),
                label=f"{at:%H:%M} UTC: {good} succeeded, {bad} failed",
            )
        )
    return BarChart(bars=bars, peak=peak)
