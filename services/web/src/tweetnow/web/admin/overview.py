"""``/admin``: how much work went through, how much waits, and who does it.

The jobs-per-minute chart is an SVG laid out here on the server (no script,
no inline style), so the page works under the strict content security policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import falcon

from tweetnow.shared.jobs import FAILED_OUTCOMES
from tweetnow.shared.models import Mail, Tweet

from .page import AdminPage
from .tweets_and_mail import RECENT_LABEL, counted_recently, status_counts

CHART_WIDTH = 720
CHART_HEIGHT = 160
#: Room below the bars for the time labels.
CHART_AXIS = 18
#: The chart's span, in minutes.
CHART_MINUTES = 60


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
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    plot_height: int = CHART_HEIGHT - CHART_AXIS


def per_minute_chart(minutes: list[int], ok: list[int], failed: list[int]) -> BarChart:
    """Stacked bars: attempts that succeeded, and those that failed, per minute."""
    peak = max([a + b for a, b in zip(ok, failed, strict=True)] + [1])
    plot = CHART_HEIGHT - CHART_AXIS
    slot = CHART_WIDTH / max(len(minutes), 1)
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


#: The operator's last actions listed on the overview.
OPERATOR_ACTIONS_SHOWN = 20


class OverviewPage(AdminPage):
    template = "admin/overview.html"
    section = "overview"

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        jobs = self.redis.job_counts(CHART_MINUTES)
        queues = self.redis.depths()
        ages = [q.oldest_ready_age_s for q in queues if q.oldest_ready_age_s is not None]
        self.render(
            req,
            resp,
            processed=sum(jobs.totals.values()),
            failed=sum(jobs.totals[o] for o in FAILED_OUTCOMES),
            dead=jobs.totals["failed"],
            last_hour=sum(jobs.ok) + sum(jobs.failed),
            chart=per_minute_chart(jobs.minutes, jobs.ok, jobs.failed),
            queues=queues,
            actions=False,
            oldest_age_s=max(ages) if ages else None,
            workers=len(self.redis.alive_workers()),
            tweets=status_counts(Tweet),
            mails=status_counts(Mail),
            counted_recently=counted_recently,
            recent_label=RECENT_LABEL,
            operator_actions=self.redis.recent_operator_actions(OPERATOR_ACTIONS_SHOWN),
        )
