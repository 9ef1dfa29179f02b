"""The admin dashboard (``/admin``): queues, workers, failed jobs, recurring jobs,
tweets and mail, for the people listed in ADMIN_X_USERNAMES only.

Everyone else — signed in or not, or with an API token — gets 404 on every
page and action. Actions are POST forms carrying the session's CSRF token.
"""

from __future__ import annotations

import falcon

from ..deps import WebDeps
from .job_states_page import DeadAction, DeadJobs, DelayedJobs
from .overview_page import Overview
from .page_frame import admin_templates
from .periodic_page import PeriodicJobs
from .product_pages import JobDetail, MailDetail, MailSearch, TweetDetail, TweetSearch
from .queues_page import QueueMessages, Queues
from .workers_page import Workers


def register_admin(app: falcon.App, deps: WebDeps) -> None:
    t = admin_templates()
    app.add_route("/admin", Overview(deps, t))
    app.add_route("/admin/queues", Queues(deps, t))
    app.add_route("/admin/queues/{queue}", QueueMessages(deps, t))
    app.add_route("/admin/workers", Workers(deps, t))
    app.add_route("/admin/retrying", DelayedJobs(deps, t, retrying=True))
    app.add_route("/admin/scheduled", DelayedJobs(deps, t, retrying=False))
    app.add_route("/admin/dead", DeadJobs(deps, t))
    app.add_route("/admin/dead/{queue}/{redis_id}/{action}", DeadAction(deps))
    app.add_route("/admin/periodic", PeriodicJobs(deps, t))
    app.add_route("/admin/tweets", TweetSearch(deps, t))
    app.add_route("/admin/tweets/{tweet_id:id}", TweetDetail(deps, t))
    app.add_route("/admin/mail", MailSearch(deps, t))
    app.add_route("/admin/mail/{mail_id:id}", MailDetail(deps, t))
    app.add_route("/admin/jobs/{job_id}", JobDetail(deps, t))
