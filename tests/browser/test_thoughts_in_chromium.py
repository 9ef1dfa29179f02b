"""Send a thought in a real browser: the mail goes out through the real mailer to the
stack's SMTP server while the page shows it queued, then sent, without a reload."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Request, Response, expect

from tests.support.browser_tab import Tab
from tests.support.local_stack import LocalStack
from tests.support.smtp_sink import SmtpSink

pytestmark = pytest.mark.system

FRIEND = "friend@example.com"
#: How long to wait for a second copy (or any mail) that should not come.
SETTLE_S = 1.5


@pytest.fixture
def smtp(local: LocalStack) -> Iterator[SmtpSink]:
    sink = local.smtp
    assert sink is not None
    sink.reset()
    yield sink
    sink.reset()


def open_thoughts(tab: Tab, username: str) -> None:
    tab.sign_in(username)
    tab.page.get_by_role("navigation").get_by_role("link", name="Send a thought").click()
    expect(tab.page.get_by_role("heading", name="Send a thought", level=1)).to_be_visible()


def test_send_a_thought_and_watch_it_reach_the_mail_server(tab: Tab, smtp: SmtpSink, username: str):
    page = tab.page
    open_thoughts(tab, username)
    thought = f"Tea is a hug in a mug <3 & so are you #{uuid.uuid4().hex[:5]}"
    page.get_by_label("Email address").fill(FRIEND)
    page.get_by_label("Your thought").fill(thought)
    expect(page.locator("#thought-count-value")).to_have_text(f"{len(thought)} / 1000")

    page.evaluate("window.sameDocument = true")
    with page.expect_response("**/api/thoughts") as posted:
        page.get_by_role("button", name="Send").click()
    assert posted.value.status == 202
    accepted = posted.value.json()
    item = page.locator(f'#thought-list [data-mail-id="{accepted["mail"]["id"]}"]')
    expect(item.locator(".tweet-text")).to_have_text(thought)
    expect(item).to_contain_text(f"To {FRIEND}")
    expect(item.locator(".badge")).to_have_text("Sent")
    expect(item.locator("time")).to_be_visible()
    expect(item.locator(".reason")).to_have_count(0)
    expect(page.get_by_label("Your thought")).to_have_value("")
    expect(page.locator("#thought-message")).to_be_hidden()
    assert page.evaluate("window.sameDocument") is True  # no reload, no navigation
    tab.screenshot("thoughts-desktop")

    # The page says sent only once the mail server took it: exactly one copy, both parts.
    smtp.wait_for_recipient(FRIEND, timeout=15)
    time.sleep(SETTLE_S)
    received = smtp.to(FRIEND)
    assert len(received) == 1
    mail = received[0]
    assert mail.recipients == (FRIEND,)
    assert mail.text is not None and thought in mail.text
    assert mail.html is not None
    assert "Tea is a hug in a mug &lt;3 &amp; so are you" in mail.html
    assert thought.rsplit("#", 1)[1] in mail.html
    assert tab.problems == []


def test_a_bad_address_is_refused_in_words_and_nothing_is_sent(
    phone: Tab, smtp: SmtpSink, username: str
):
    page = phone.page
    open_thoughts(phone, username)
    answers: list[Response] = []
    page.on("response", lambda r: r.url.endswith("/api/thoughts") and answers.append(r))
    page.get_by_label("Email address").fill("friend@example")
    page.get_by_label("Your thought").fill("This one should not leave.")
    page.get_by_role("button", name="Send").click()
    message = page.get_by_role("alert")
    expect(message).to_contain_text("The email address is not an address we can send to")
    expect(page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Email address")).to_be_focused()
    expect(page.get_by_label("Your thought")).to_have_value("This one should not leave.")
    expect(page.locator("#thoughts-sent")).to_be_hidden()
    phone.screenshot("thoughts-phone")
    assert [a.status for a in answers] == [422]
    time.sleep(SETTLE_S)
    assert smtp.received == []

    # Corrected, it goes.
    page.get_by_label("Email address").fill(FRIEND)
    page.get_by_role("button", name="Send").click()
    expect(message).to_be_hidden()
    expect(page.locator("#thought-list .badge").first).to_have_text("Sent")
    assert [m.recipients for m in smtp.received] == [(FRIEND,)]
    unexpected = [p for p in phone.problems if "422" not in p]
    assert unexpected == []


def test_a_mail_server_that_refuses_the_recipient_shows_failed_with_a_summary(
    tab: Tab, smtp: SmtpSink, username: str
):
    page = tab.page
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    smtp.refuse(nobody)
    open_thoughts(tab, username)
    polls: list[Request] = []
    page.on("request", lambda r: "/api/jobs/" in r.url and polls.append(r))
    page.get_by_label("Email address").fill(nobody)
    page.get_by_label("Your thought").fill("Is anyone there?")
    page.get_by_role("button", name="Send").click()
    item = page.locator("#thought-list .thought").first
    expect(item.locator(".badge")).to_have_text("Failed")
    # A summary, not the server's reply (the admin dashboard keeps that).
    expect(item.locator(".reason")).to_have_text(
        "Not sent: the receiving mail server refused the address."
    )
    # It ended: the page stops asking.
    seen = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == seen
    assert smtp.received == []
    assert tab.problems == []
