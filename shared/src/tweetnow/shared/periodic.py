"""The recurring jobs, declared once: name, cron schedule, what it does.

periodiq (one scheduler process) sends each job's message on its tick; the
tweeter's workers run it. periodiq has no lock, so every run first takes a
per-tick lock in Redis: a second scheduler started by mistake sends a
duplicate tick that does nothing. The jobs are idempotent besides.

Schedules are read by periodiq's own cron parser, for firing and for showing
the next run alike: what the admin page shows is what periodiq does. periodiq
and pendulum are imported where a schedule is read (``spec``, ``next_run``), not
with this module: the web imports it for the queue's name and the last runs on
every admin page, and its workers would otherwise each hold the two (about
2.6 MiB) for the one page that shows next runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import redis

from .clock import iso, utcnow

if TYPE_CHECKING:
    from periodiq import CronSpec

PERIODIC_QUEUE = "periodic"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    cron: str
    description: str

    @property
    def spec(self) -> CronSpec:
        """The schedule as periodiq reads it (what ``periodic=`` takes on an actor)."""
        from periodiq import cron

        return cron(self.cron)


def check_cron(expression: str) -> str:
    """Refuse schedules periodiq would never fire: Sunday written as 0 or sun."""
    if expression.strip() == "@weekly":
        raise ValueError("periodiq never fires @weekly (Sunday as 0): write '0 0 * * 7'")
    fields = expression.split()
    if len(fields) == 5:
        days = fields[4].lower().replace("-", ",").replace("/", ",").split(",")
        if "0" in days or "sun" in days:
            raise ValueError(f"{expression!r}: periodiq never fires Sunday as 0/sun; write 7")
    return expression


DISPATCH_DUE_TWEETS = PeriodicJob(
    "dispatch_due_tweets",
    check_cron("* * * * *"),
    "Send the jobs of scheduled tweets falling due within the dispatch horizon, "
    "each with the exact delay to its time.",
)
SWEEP_OUTBOX = PeriodicJob(
    "sweep_outbox",
    check_cron("* * * * *"),
    "Re-send the jobs of tweets and mails left queued with no live job "
    "(Redis was down, or a message was lost).",
)
CLEANUP = PeriodicJob(
    "cleanup",
    check_cron("17 * * * *"),
    "Delete expired sessions and stale sign-in requests.",
)

ALL_PERIODIC_JOBS: tuple[PeriodicJob, ...] = (DISPATCH_DUE_TWEETS, SWEEP_OUTBOX, CLEANUP)


class PeriodicRuns:
    """Per-tick locks and the last run of each recurring job, in Redis."""

    def __init__(self, client: redis.Redis, prefix: str = "tweetnow:periodic:") -> None:
        self.client = client
        self.prefix = prefix

    def claim_tick(self, name: str, tick: str, ttl_s: int = 3600) -> bool:
        """True for the first run of ``name`` at ``tick``; False for any duplicate."""
        return bool(self.client.set(f"{self.prefix}tick:{name}:{tick}", "1", nx=True, ex=ttl_s))

    def record(self, name: str, *, started_at: str, outcome: str, result: object) -> None:
        self.client.hset(
            f"{self.prefix}runs",
            name,
            json.dumps(
                {
                    "started_at": started_at,
                    "finished_at": iso(utcnow()),
                    "outcome": outcome,
                    "result": result,
                }
            ),
        )

    def last_runs(self) -> dict[str, dict[str, Any]]:
        raw = self.client.hgetall(f"{self.prefix}runs")
        return {(k.decode() if isinstance(k, bytes) else k): json.loads(v) for k, v in raw.items()}


def next_run(expression: str, after: datetime) -> datetime:
    """When periodiq fires ``expression`` next, strictly after ``after`` (in UTC, the
    images' time zone: periodiq uses its process's local one)."""
    import pendulum
    from periodiq import cron

    following = cron(expression).next_valid_date(pendulum.instance(after, tz=UTC))
    return datetime.fromtimestamp(following.timestamp(), UTC)
