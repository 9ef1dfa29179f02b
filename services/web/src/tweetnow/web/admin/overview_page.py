"""``/admin``: how much work went through, how much waits, and who does it."""

from __future__ import annotations

import falcon

from tweetnow.shared.jobs import FAILED_OUTCOMES, OUTCOMES, JobStats
from tweetnow.shared.models import Mail, Tweet

from ..deps import WebDeps
from .access import admin_only
from .bar_chart import per_minute_chart
from .page_frame import AdminTemplates, render
from .product_search import status_counts
from .queue_stats import depths
from .worker_list import alive_workers


@falcon.before(admin_only)
class Overview:
    def __init__(self, deps: WebDeps, templates: AdminTemplates) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.templates = templates
        self.stats = JobStats(deps.redis)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        totals = self.stats.totals()
        minutes, counts = self.stats.per_minute(60)
        failed = [sum(c) for c in zip(*(counts[o] for o in FAILED_OUTCOMES), strict=True)]
        ok = [sum(c) for c in zip(*(counts[o] for o in OUTCOMES), strict=True)]
        ok = [a - b for a, b in zip(ok, failed, strict=True)]
        queues = depths(self.deps.redis)
        ages = [q.oldest_ready_age_s for q in queues if q.oldest_ready_age_s is not None]
        render(
            req,
            resp,
            self.templates,
            "admin/overview.html",
            "overview",
            processed=sum(totals.values()),
            failed=sum(totals[o] for o in FAILED_OUTCOMES),
            dead=totals["failed"],
            last_hour=sum(ok) + sum(failed),
            chart=per_minute_chart(minutes, ok, failed),
            queues=queues,
            oldest_age_s=max(ages) if ages else None,
            workers=len(alive_workers(self.deps.redis)),
            tweets=status_counts(Tweet),
            mails=status_counts(Mail),
        )
