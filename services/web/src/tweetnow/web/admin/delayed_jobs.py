"""``/admin/retrying`` and ``/admin/scheduled``: jobs in a delay queue, waiting to run again
or waiting for their time.

Dramatiq keeps both in the same ``.DQ`` hash; a message with retries in its
options is a retry, any other is a first run held back until its eta.
"""

from __future__ import annotations

from typing import ClassVar

import falcon

from tweetnow.shared.models import Tweet, TweetStatus, User

from .page import AdminPage
from .redis_view import PAGE_SIZE, QUEUES


class DelayedJobsPage(AdminPage):
    template = "admin/delayed.html"
    #: True to list retries, False to list first runs waiting for their time.
    retries: ClassVar[bool]

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        queue = self.chosen_queue(req)
        messages, cursor = self.redis.delayed_jobs(queue, self.position(req), retries=self.retries)
        self.render(
            req,
            resp,
            queue=queue,
            queues=QUEUES,
            messages=messages,
            waiting_tweets=self.waiting_tweets(),
            next_url=f"?queue={queue}&at={cursor}" if cursor else None,
        )

    def waiting_tweets(self) -> list[Tweet]:
        return []


class RetryingJobsPage(DelayedJobsPage):
    section = "retrying"
    retries = True


class ScheduledJobsPage(DelayedJobsPage):
    section = "scheduled"
    retries = False

    def waiting_tweets(self) -> list[Tweet]:
        """Far-off tweets have no message yet: the dispatcher sends each when it falls due."""
        return list(
            Tweet.select(Tweet, User)
            .join(User)
            .where((Tweet.status == TweetStatus.SCHEDULED) & Tweet.dispatched_at.is_null())
            .order_by(Tweet.send_at)
            .limit(PAGE_SIZE)
        )
