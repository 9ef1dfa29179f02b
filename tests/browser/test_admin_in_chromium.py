"""The admin dashboard in a real browser, against real worker processes.

An admin (the X account whose id is in the stack's ADMIN_X_USER_IDS) sees the overview,
three tweeter processes, a tweet that X kept refusing end up dead, retries it
once X is back and sees it sent; pauses the tweets queue, sees it paused and
the action in the overview's list, resumes it; quiets a worker process and sees
it quiet. Anyone else gets 404 on every admin page and action, whatever the
method.
"""

from __future__ import annotations

import re
import time
import uuid

import pytest
import redis
from playwright.sync_api import expect

from tests.support.admin_paths import ADMIN_ACTIONS, ADMIN_PAGES
from tests.support.browser_tab import Tab
from tests.support.local_stack import ADMIN_X_USERNAME, LocalStack
from tests.support.processes import wait_until
from tests.support.stack import Stack

pytestmark = pytest.mark.system


def test_an_admin_finds_a_dead_tweet_retries_it_and_sees_it_sent(
    tab: Tab, stack: Stack, local: LocalStack
):
    page = tab.page
    tab.sign_in(ADMIN_X_USERNAME)
    page.goto("/admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    expect(page.locator("#queue-depths")).to_contain_text("tweets")

    # Three tweeter processes: the stack's one and two more.
    extra = [local.start_tweeter(), local.start_tweeter()]
    try:
        tweeters = page.locator("tr.worker", has_text="tweets")

        def three_listed() -> bool:
            page.goto("/admin/workers")
            return tweeters.count() == 3

        # A tweeter an earlier test killed is listed until its record expires (30 s).
        wait_until(three_listed, timeout=60, what="three tweeters on the workers page")
        tab.screenshot("admin-workers")

        # X answers 503 to every try: the tweet runs out of retries and its job is dead.
        author = stack.sign_in(f"dead{uuid.uuid4().hex[:6]}")
        stack.set_faults(next_errors=[503] * 20)
        accepted = author.post_tweet(f"Dead, then alive #{uuid.uuid4().hex[:5]}").json()
        tweet_id, job_id = accepted["tweet"]["id"], accepted["job"]["id"]
        assert author.wait_job(job_id, timeout=60)["status"] == "failed"
        stack.clear_faults()

        page.goto(f"/admin/tweets/{tweet_id}")
        expect(page.locator("#tweet-status")).to_have_text("failed")
        expect(page.locator("#attempts tbody tr")).to_have_count(9)  # 1 + 8 retries
        tab.screenshot("admin-tweet-failed")

        page.goto("/admin/dead?queue=tweets")
        row = page.locator(f'tr[data-job-id="{job_id}"]')
        expect(row).to_contain_text("gave up")
        tab.screenshot("admin-dead")
        row.get_by_role("button", name="Retry").click()
        expect(page.get_by_role("status")).to_have_text("1 retried.")
        expect(page.locator(f'tr[data-job-id="{job_id}"]')).to_have_count(0)

        assert author.wait_job(job_id, timeout=30)["status"] == "succeeded"
        page.goto(f"/admin/tweets/{tweet_id}")
        expect(page.locator("#tweet-status")).to_have_text("sent")
        expect(page.locator("#job-status")).to_have_text("succeeded")
        tab.screenshot("admin-tweet-sent")

        page.goto("/admin")
        expect(page.locator("#stat-dead")).not_to_have_text("0")
        tab.screenshot("admin-overview")
        page.goto("/admin/periodic")
        expect(page.locator("#periodic")).to_contain_text("dispatch_due_tweets")
        page.goto("/admin/queues/tweets")
        expect(page.get_by_role("heading", level=1)).to_contain_text("tweets")
        assert tab.problems == []
    finally:
        for proc in extra:
            proc.stop()
            local.tweeters.remove(proc)


def test_an_admin_pauses_and_resumes_a_queue_and_quiets_a_worker(
    tab: Tab, stack: Stack, local: LocalStack
):
    page = tab.page
    page.on("dialog", lambda dialog: dialog.accept())  # the buttons ask first
    store = redis.Redis.from_url(local.redis.url)
    tab.sign_in(ADMIN_X_USERNAME)
    try:
        page.goto("/admin/queues")
        tweets = page.locator('tr[data-queue="tweets"]')
        expect(tweets.locator(".badge-paused")).to_have_count(0)
        tweets.get_by_role("button", name="Pause").click()
        expect(page.get_by_role("status")).to_have_text("tweets paused.")
        expect(tweets.locator(".badge-paused")).to_have_text("paused")
        tab.screenshot("admin-queue-paused")

        page.goto("/admin")
        expect(page.locator('#queue-depths tr[data-queue="tweets"]')).to_contain_text("paused")
        latest = page.locator("#operator-actions tbody tr").first
        expect(latest).to_contain_text(f"@{ADMIN_X_USERNAME}")
        expect(latest).to_contain_text("pause")

        page.goto("/admin/queues")
        tweets.get_by_role("button", name="Resume").click()
        expect(page.get_by_role("status")).to_have_text("tweets resumed.")
        expect(tweets.locator(".badge-paused")).to_have_count(0)
        expect(tweets.get_by_role("button", name="Pause")).to_be_visible()
    finally:
        store.srem("tweetnow:paused_queues", "tweets")

    def alive() -> set[str]:
        return {
            n.decode() for n in store.zrangebyscore("tweetnow:workers", time.time() - 30, "+inf")
        }

    before = alive()
    extra = local.start_tweeter()
    try:
        wait_until(lambda: len(alive() - before) == 1, timeout=30, what="its registry record")
        (name,) = alive() - before
        page.goto("/admin/workers")
        row = page.locator(f'tr[data-worker="{name}"]')
        expect(row.locator(".badge-quiet")).to_have_count(0)
        row.get_by_role("button", name="Quiet").click()
        expect(page.get_by_role("status")).to_have_text(f"{name} quiet.")
        expect(row.locator(".badge-quiet")).to_have_text("quiet")
        tab.screenshot("admin-worker-quiet")
        assert tab.problems == []
    finally:
        extra.shut_down()  # its registry record goes with it
        local.tweeters.remove(extra)


def test_anyone_else_gets_404_on_every_admin_page_and_action(tab: Tab, stack: Stack, username):
    page = tab.page
    for path in ADMIN_PAGES:
        assert page.goto(path).status == 404, path
    tab.sign_in(username)
    expect(page.get_by_role("link", name=re.compile("Admin"))).to_have_count(0)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_token")
    for path in ADMIN_PAGES:
        assert page.goto(path).status == 404, path
    for path in ADMIN_ACTIONS:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            r = page.request.fetch(path, method=method, headers={"X-CSRF-Token": csrf})
            assert r.status == 404, (method, path)
    person = stack.sign_in(username)
    for path in ADMIN_ACTIONS:
        r = person.session.post(person.url(path), headers={"X-CSRF-Token": person.csrf}, timeout=10)
        assert r.status_code == 404, path
