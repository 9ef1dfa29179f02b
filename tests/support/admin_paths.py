"""The admin dashboard's addresses, for the tests that open each one."""

from __future__ import annotations

#: Every dashboard page, as an admin opens it (tweet 1 must exist for an admin to see it).
ADMIN_PAGES = [
    "/admin",
    "/admin/queues",
    "/admin/queues/tweets",
    "/admin/queues/tweets?state=delayed",
    "/admin/queues/tweets?state=dead",
    "/admin/workers",
    "/admin/retrying",
    "/admin/scheduled",
    "/admin/dead",
    "/admin/periodic",
    "/admin/tweets",
    "/admin/tweets/1",
    "/admin/mail",
]
#: Every kind of dashboard action (each a POST).
ADMIN_ACTIONS = [
    "/admin/dead/tweets/some-id/retry",
    "/admin/dead/tweets/some-id/delete",
    "/admin/dead/tweets/all/retry",
    "/admin/dead/mail/all/delete",
    "/admin/queues/tweets/pause",
    "/admin/queues/tweets/resume",
    "/admin/workers/some-host:1234/quiet",
]
#: Addresses under /admin that no page answers, and one the router reads as /admin.
ADMIN_ODDITIES = [
    "/admin/jobs/some-job",
    "/admin/no-such-page",
    "/admin/queues/tweets/no-such-state",
    "//admin",
]
