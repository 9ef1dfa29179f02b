"""The tweeter worker service: ``tweetnow-tweeter`` consumes the tweets and periodic queues.

The scheduler (``tweetnow-scheduler``) boots the same way, so periodiq sees
the recurring jobs' actors and its middleware is on the broker before they
are declared.
"""

from __future__ import annotations

from periodiq import PeriodiqMiddleware

from tweetnow.shared.messages import TWEETS_QUEUE
from tweetnow.shared.metrics import ScrapeCollectors
from tweetnow.shared.periodic import PERIODIC_QUEUE
from tweetnow.shared.worker import WorkerRuntime, WorkerService, run_worker
from tweetnow.shared.worker import boot as boot_service

from .housekeeping import declare_housekeeping
from .posting import declare_post_tweet
from .x_metrics import XResponseMetrics

#: periodiq drops a tick older than this instead of running it late.
PERIODIC_SKIP_DELAY_S = 30


def declare_actors(runtime: WorkerRuntime) -> None:
    declare_post_tweet(runtime)
    declare_housekeeping(runtime)


TWEETER = WorkerService(
    queues=(TWEETS_QUEUE, PERIODIC_QUEUE),
    boot_function="tweetnow.tweeter.worker:boot",
    declare_actors=declare_actors,
    middleware=lambda: [
        PeriodiqMiddleware(skip_delay=PERIODIC_SKIP_DELAY_S),
        # X's answers and quotas on the worker's /metrics.
        XResponseMetrics(),
        ScrapeCollectors("tweetnow.tweeter.x_metrics:XQuotaRemaining"),
    ],
)


def boot() -> None:
    """Set up one tweeter process (Dramatiq and periodiq call this in each process)."""
    boot_service(TWEETER)


def main() -> None:
    run_worker(TWEETER)
