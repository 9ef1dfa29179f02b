"""The admin dashboard (``/admin``): queues, workers, failed jobs, recurring jobs,
tweets and mail, for the people listed in ADMIN_X_USER_IDS only.

Everyone else — signed in or not, or with an API token — gets 404 for every
method on every address under /admin (see ``access``). Actions are POST forms
carrying the session's CSRF token; the operator's controls (pause, resume,
quiet) are also written to an audit list with who did them and when.
"""

from __future__ import annotations

import falcon

from ..deps import WebDeps
from .access import AdminOnly
from .dead_jobs import DeadJobsPage
from .delayed_jobs import RetryingJobsPage, ScheduledJobsPage
from .overview import OverviewPage
from .page import AdminPage, admin_templates
from .periodic_jobs import PeriodicJobsPage
from .queues import QueueMessagesPage, QueuesPage
from .tweets_and_mail import JobPage, MailPage, MailSearchPage, TweetPage, TweetSearchPage
from .workers import WorkersPage

#: Every dashboard page and its address.
PAGES: tuple[tuple[str, type[AdminPage]], ...] = (
    ("/admin", OverviewPage),
    ("/admin/queues", QueuesPage),
    ("/admin/queues/{queue}", QueueMessagesPage),
    ("/admin/workers", WorkersPage),
    ("/admin/retrying", RetryingJobsPage),
    ("/admin/scheduled", ScheduledJobsPage),
    ("/admin/dead", DeadJobsPage),
    ("/admin/periodic", PeriodicJobsPage),
    ("/admin/tweets", TweetSearchPage),
    ("/admin/tweets/{row_id:id}", TweetPage),
    ("/admin/mail", MailSearchPage),
    ("/admin/mail/{row_id:id}", MailPage),
    ("/admin/jobs/{job_id}", JobPage),
)
#: The address of the dead jobs' buttons (``on_post_action``); ``all`` as the id for every one.
DEAD_JOB_ACTION = "/admin/dead/{queue}/{redis_id}/{action}"
#: The queue buttons' address: pause, resume.
QUEUE_ACTION = "/admin/queues/{queue}/{action}"
#: The worker buttons' address (the worker's host:pid): quiet.
WORKER_ACTION = "/admin/workers/{worker}/{action}"


def register_admin(app: falcon.App, deps: WebDeps) -> None:
    app.add_middleware(AdminOnly(deps.settings))
    templates = admin_templates()
    for path, page in PAGES:
        app.add_route(path, page(deps, templates))
    app.add_route(DEAD_JOB_ACTION, DeadJobsPage(deps, templates), suffix="action")
    app.add_route(QUEUE_ACTION, QueuesPage(deps, templates), suffix="action")
    app.add_route(WORKER_ACTION, WorkersPage(deps, templates), suffix="action")
