"""Scheduling from the pages and webhooks on the account page, in headless Chromium against
the real processes. The browser runs in Tokyo's time zone, which the account takes on the
first visit and every time on the pages is written in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser_tab import Tab
from tests.support.stack import Stack
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.system

ZONE = "Asia/Tokyo"


@pytest.fixture
def tokyo(browser: Browser, stack: Stack, screenshots: Path) -> Iterator[Tab]:
    context = browser.new_context(
        base_url=stack.web_url, viewport={"width": 1280, "height": 900}, timezone_id=ZONE
    )
    page = context.new_page()
    tab = Tab(page=page, stack=stack, screenshots=screenshots)
    page.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    page.on("pageerror", lambda e: tab.problems.append(str(e)))
    try:
        yield tab
    finally:
        context.close()


def tokyo_tomorrow(hour: int, minute: int) -> datetime:
    day = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONE))


def same_instant(iso: str, expected: datetime) -> bool:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")) == expected.astimezone(UTC)


def test_a_tweet_scheduled_rescheduled_and_canceled_from_the_pages(tokyo: Tab, stack: Stack):
    page = tokyo.page
    username = f"sched{uuid.uuid4().hex[:6]}"
    tokyo.sign_in(username)
    # The first visit gives the account the browser's time zone.
    expect(page.locator("body")).to_have_attribute("data-time-zone", ZONE)
    expect(page.locator("#schedule .zone-name")).to_have_text(ZONE)

    text = f"Scheduled from Tokyo #{uuid.uuid4().hex[:5]}"
    page.get_by_label("Your tweet").fill(text)
    page.get_by_label("At a time").check()
    at = tokyo_tomorrow(9, 30)
    page.get_by_label("Date", exact=True).fill(at.strftime("%Y-%m-%d"))
    page.get_by_label("Time", exact=True).fill("09:30")
    tokyo.screenshot("compose-scheduled")
    with page.expect_response("**/api/tweets") as posted:
        page.get_by_role("button", name="Post").click()
    accepted = posted.value.json()
    assert posted.value.status == 202
    assert accepted["tweet"]["status"] == "scheduled"
    assert same_instant(accepted["tweet"]["send_at"], at)
    tweet_id = accepted["tweet"]["id"]

    page.get_by_role("link", name="My tweets", exact=True).click()
    scheduled = page.locator("#scheduled-list .scheduled-tweet").first
    expect(scheduled.locator(".tweet-text")).to_have_text(text)
    expect(scheduled.locator("time")).to_contain_text("09:30 JST")
    tokyo.screenshot("tweets-scheduled")

    scheduled.get_by_role("button", name="Reschedule").click()
    later = tokyo_tomorrow(10, 45)
    scheduled.get_by_label("New time").fill("10:45")
    with page.expect_response(f"**/api/tweets/{tweet_id}") as moved:
        scheduled.get_by_role("button", name="Save the new time").click()
    assert moved.value.status == 200
    assert same_instant(moved.value.json()["send_at"], later)
    expect(scheduled.locator("time")).to_contain_text("10:45")
    expect(scheduled.locator(".scheduled-message")).to_contain_text("Rescheduled for")

    page.reload()
    scheduled = page.locator("#scheduled-list .scheduled-tweet").first
    expect(scheduled.locator("time")).to_contain_text("10:45 JST")
    with page.expect_response(f"**/api/tweets/{tweet_id}") as canceled:
        scheduled.get_by_role("button", name="Cancel").click()
    assert canceled.value.json()["status"] == "canceled"
    expect(scheduled.locator(".badge")).to_have_text("Canceled")
    expect(scheduled.get_by_role("button", name="Reschedule")).to_have_count(0)

    page.reload()
    expect(page.locator("#scheduled")).to_have_count(0)
    assert text not in {t["text"] for t in stack.sandbox_tweets(username)}
    assert tokyo.problems == []


def test_a_time_already_past_is_refused_on_the_page(tokyo: Tab):
    page = tokyo.page
    tokyo.sign_in(f"past{uuid.uuid4().hex[:6]}")
    expect(page.locator("body")).to_have_attribute("data-time-zone", ZONE)
    page.get_by_label("Your tweet").fill("too late")
    page.get_by_label("At a time").check()
    yesterday = datetime.now(ZoneInfo(ZONE)) - timedelta(days=1)
    page.get_by_label("Date", exact=True).fill(yesterday.strftime("%Y-%m-%d"))
    page.get_by_label("Time", exact=True).fill("08:00")
    page.get_by_role("button", name="Post").click()
    expect(page.locator("#compose-message")).to_contain_text("That time has passed in Asia/Tokyo")
    expect(page.locator("#posted")).to_be_hidden()


def test_a_webhook_added_on_the_account_page_shows_its_deliveries(tokyo: Tab):
    page = tokyo.page
    tokyo.sign_in(f"hooks{uuid.uuid4().hex[:6]}")
    page.get_by_role("link", name="Account", exact=True).click()
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value(ZONE)
    with WebhookReceiver() as receiver:
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_role("button", name="Add webhook").click()
        secret = page.get_by_label("Its signing secret: copy it now, it is not shown again")
        expect(secret).to_be_visible()
        assert secret.input_value().startswith("whsec_")
        hook = page.locator("#webhook-list .webhook").first
        expect(hook.locator(".token-label")).to_have_text(receiver.url)

        page.get_by_role("link", name="Compose", exact=True).click()
        page.get_by_label("Your tweet").fill(f"hooked #{uuid.uuid4().hex[:5]}")
        page.get_by_role("button", name="Post").click()
        expect(page.locator("#posted-list .badge").first).to_have_text("Sent")
        receiver.wait_for(lambda calls: len(calls) >= 1, what="the tweet's event")

        page.get_by_role("link", name="Account", exact=True).click()
        page.locator("#webhook-list .webhook").first.get_by_role(
            "button", name="Deliveries"
        ).click()
        deliveries = page.locator("#webhook-list .deliveries").first
        expect(deliveries).to_contain_text("tweet.sent")
        expect(deliveries).to_contain_text("delivered")
        expect(deliveries).to_contain_text("answered 200")
        tokyo.screenshot("account-webhooks")
    assert tokyo.problems == []
