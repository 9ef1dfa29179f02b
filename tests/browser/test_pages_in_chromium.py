"""The pages in a real browser: sign in through X, post, watch, retry, manage tokens.

Everything here runs against real processes (the system stack) and headless
Chromium; the page never reloads while a tweet goes from queued to sent.
"""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from playwright.sync_api import Request, expect

from tests.support.browser_tab import Tab
from tests.support.stack import Stack
from tweetnow.web.tweet_text import weighted_length

pytestmark = pytest.mark.system

#: Strings the page's count and the server's must agree on.
COUNTED = [
    "hello",
    "https://example.com/a/very/long/path/indeed",
    "see example.com and http://t.co/abcdef?x=1 ok",
    "😀 ❤️ 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 1️⃣",
    "日本語のツイート, 中文, 한국어",
    "©®™ café cafe\u0301 Привет",
    "(https://en.wikipedia.org/wiki/Foo_(bar)) foo.bar.co.uk/path?q=1.",
    "line\nbreak " + "x" * 250,
]


def unique(text: str) -> str:
    return f"{text} #{uuid.uuid4().hex[:5]}"


def job_polls(requests_seen: list[Request], job_id: str) -> int:
    return sum(1 for r in requests_seen if r.url.endswith(f"/api/jobs/{job_id}"))


def test_the_page_counts_like_the_server(tab: Tab, username: str):
    tab.sign_in(username)
    counts = tab.page.evaluate("texts => texts.map(t => tweetnow.weightedLength(t))", COUNTED)
    assert counts == [weighted_length(t) for t in COUNTED]


def test_sign_in_post_and_watch_it_go_out_without_a_reload(
    tab: Tab, phone: Tab, stack: Stack, username: str
):
    page = tab.page
    page.goto("/")
    expect(page.get_by_role("link", name="Sign in with X")).to_be_visible()
    tab.screenshot("landing-desktop")
    phone.page.goto("/")
    phone.screenshot("landing-phone")

    tab.sign_in(username, screenshot="signin-x-sandbox")
    textarea = page.get_by_label("Your tweet")
    counter = page.locator("#char-count")
    expect(counter).to_have_text("0 / 280")
    textarea.press_sequentially("Hi 😀 ")
    expect(counter).to_have_text("6 / 280")
    textarea.press_sequentially("https://example.com/a/very/long/path")
    expect(counter).to_have_text("29 / 280")  # the link counts 23
    textarea.fill("")
    text = unique("Hello from a real browser 👋 https://example.com/tweetnow")
    textarea.fill(text)
    expect(counter).to_have_text(f"{weighted_length(text)} / 280")
    tab.screenshot("compose-desktop")

    # X answers slowly: the page shows the tweet on its way, then sent, in place.
    stack.set_faults(latency_ms=1200)
    seen: list[Request] = []
    page.on("request", lambda r: seen.append(r))
    page.evaluate("window.sameDocument = true")
    with page.expect_response("**/api/tweets") as posted:
        page.get_by_role("button", name="Post").click()
    accepted = posted.value.json()
    assert posted.value.status == 202
    job_id = accepted["job"]["id"]
    item = page.locator(f'#posted-list [data-tweet-id="{accepted["tweet"]["id"]}"]')
    expect(item.locator(".tweet-text")).to_have_text(text)
    expect(item.locator(".badge")).to_have_text("Sending to X…")
    expect(item.locator(".badge")).to_have_text("Sent")
    link = item.get_by_role("link", name="View on X")
    expect(link).to_have_attribute("href", re.compile(rf"/{username}/status/\d+$"))
    expect(textarea).to_have_value("")
    assert page.evaluate("window.sameDocument") is True  # no reload, no navigation
    # A growing interval: a few polls for a post that took over a second, then none.
    polls = job_polls(seen, job_id)
    assert 2 <= polls <= 8, polls
    page.wait_for_timeout(2500)
    assert job_polls(seen, job_id) == polls
    tab.screenshot("compose-sent")

    page.get_by_role("navigation").get_by_role("link", name="My tweets").click()
    mine = page.locator(f'#tweet-list [data-tweet-id="{accepted["tweet"]["id"]}"]')
    expect(mine.locator(".badge")).to_have_text("Sent")
    expect(mine.get_by_role("link", name="View on X")).to_be_visible()
    tab.screenshot("tweets-desktop")
    assert [t["text"] for t in stack.sandbox_tweets(username)] == [text]
    assert tab.problems == []


def test_ctrl_enter_posts_and_the_keyboard_reaches_everything(tab: Tab, username: str):
    page = tab.page
    tab.sign_in(username)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    order = []
    for _ in range(10):
        page.keyboard.press("Tab")
        order.append(page.evaluate("(e => e.textContent.trim() || e.id)(document.activeElement)"))
    assert order == [
        "tweetnow",
        "Compose",
        "My tweets",
        "Send a thought",
        "Account",
        f"Sign out @{username}",
        "tweet-text",
        "Add to thread",
        "Add images",
        "Post",
    ]
    page.get_by_label("Your tweet").fill(unique("Posted with Ctrl+Enter"))
    page.get_by_label("Your tweet").press("Control+Enter")
    expect(page.locator("#posted-list .badge").first).to_have_text("Sent")
    assert tab.problems == []


def test_over_280_the_post_button_refuses_with_a_reason(tab: Tab, phone: Tab, username: str):
    page = tab.page
    tab.sign_in(username)
    posts: list[Request] = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r))
    page.get_by_label("Your tweet").fill("x" * 270 + " 日本語 😀")  # 270 + 1 + 6 + 1 + 2 = 280
    expect(page.locator("#char-count")).to_have_text("280 / 280")
    expect(page.get_by_role("button", name="Post")).to_have_attribute("data-refuses", "false")
    page.get_by_label("Your tweet").press("End")
    page.get_by_label("Your tweet").press_sequentially("!")
    expect(page.locator("#char-count")).to_have_text("281 / 280")
    expect(page.locator("#char-counter")).to_have_class(re.compile(r"\bover\b"))
    expect(page.get_by_role("button", name="Post")).to_have_attribute("data-refuses", "true")
    page.get_by_role("button", name="Post").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Too long to post: 281 characters by X's count")
    expect(alert).to_contain_text("Remove 1 character.")
    expect(page.get_by_label("Your tweet")).to_have_attribute("aria-invalid", "true")
    tab.screenshot("compose-too-long")
    assert posts == []  # refused on the page: nothing was sent

    page.get_by_label("Your tweet").press("Backspace")
    expect(alert).to_be_hidden()
    assert tab.problems == []

    phone.sign_in(f"{username}p")
    phone.page.get_by_label("Your tweet").fill("x" * 285)
    phone.page.get_by_role("button", name="Post").click()
    expect(phone.page.get_by_role("alert")).to_contain_text("Remove 5 characters.")
    phone.screenshot("compose-phone")


def test_a_refused_tweet_shows_why_and_a_retry_sends_it(tab: Tab, stack: Stack, username: str):
    page = tab.page
    tab.sign_in(username)
    stack.set_faults(next_errors=[403])  # X refuses it: a permanent failure
    text = unique("X says no, then yes")
    page.get_by_label("Your tweet").fill(text)
    with page.expect_response("**/api/tweets") as posted:
        page.get_by_role("button", name="Post").click()
    tweet_id = posted.value.json()["tweet"]["id"]
    item = page.locator(f'#posted-list [data-tweet-id="{tweet_id}"]')
    expect(item.locator(".badge")).to_have_text("Failed")
    expect(item.locator(".reason")).to_contain_text("X refused the tweet")
    expect(item.get_by_role("button", name="Retry")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="My tweets").click()
    mine = page.locator(f'#tweet-list [data-tweet-id="{tweet_id}"]')
    expect(mine.locator(".badge")).to_have_text("Failed")
    expect(mine.locator(".reason")).to_contain_text("X refused the tweet")
    tab.screenshot("tweets-failed")
    page.evaluate("window.sameDocument = true")
    with page.expect_response(f"**/api/tweets/{tweet_id}/retry") as retried:
        mine.get_by_role("button", name="Retry").click()
    assert retried.value.status == 202
    expect(mine.locator(".badge")).to_have_text("Sent")
    expect(mine.get_by_role("link", name="View on X")).to_be_visible()
    expect(mine.locator(".reason")).to_have_count(0)
    expect(mine.get_by_role("button", name="Retry")).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True
    assert [t["text"] for t in stack.sandbox_tweets(username)] == [text]
    assert tab.problems == []


def test_a_tweet_x_keeps_refusing_with_503_ends_failed_with_the_reason(
    tab: Tab, stack: Stack, username: str
):
    page = tab.page
    tab.sign_in(username)
    stack.set_faults(next_errors=[503] * 30)
    page.get_by_label("Your tweet").fill(unique("X is down"))
    page.get_by_role("button", name="Post").click()
    item = page.locator("#posted-list .tweet").first
    expect(item.locator(".badge")).to_have_text("Failed", timeout=60_000)
    expect(item.locator(".reason")).to_contain_text("X is having trouble")
    assert tab.problems == []


def test_x_silent_at_sign_in_shows_a_page_with_a_way_on(tab: Tab, stack: Stack, username: str):
    page = tab.page
    page.goto("/")
    page.get_by_role("link", name="Sign in with X").click()
    page.get_by_label("User name").fill(username)
    stack.set_faults(latency_ms=10_000)  # X holds the access token back far past X_TIMEOUT_S
    page.get_by_role("button", name="Authorize app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("X did not answer")
    expect(page.get_by_role("alert")).to_contain_text("nothing was changed")
    tab.screenshot("signin-x-did-not-answer")

    stack.clear_faults()
    page.get_by_role("link", name="Sign in with X again").click()
    page.get_by_label("User name").fill(username)
    page.get_by_role("button", name="Authorize app").click()
    page.wait_for_url(stack.web_url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"@{username}")
    # The browser reports the 504 itself; nothing else (no blocked script or style).
    assert [p for p in tab.problems if "status of 504" not in p] == []


def test_account_email_and_api_tokens(tab: Tab, phone: Tab, stack: Stack, username: str):
    page = tab.page
    tab.sign_in(username)
    page.get_by_role("navigation").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Account", level=1)).to_be_visible()

    email = page.get_by_label("Email address")
    email.fill("not-an-address")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#email-message")).to_contain_text("not a valid email address")
    expect(email).to_have_attribute("aria-invalid", "true")
    email.fill("Ada@Example.COM")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#email-message")).to_have_text("Saved. Notices go to Ada@example.com.")

    page.get_by_label("Label").fill("deploy script")
    expect(page.get_by_label("Expires")).to_have_value("90")
    page.get_by_label("Expires").select_option(label="In 30 days")
    page.get_by_role("button", name="Create token").click()
    shown = page.get_by_label(re.compile("Your new token"))
    expect(shown).to_have_value(re.compile(r"^tn_"))
    token = shown.input_value()
    listed = page.locator(".token", has_text="deploy script")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("expires")
    expect(page.locator("#x-user-id")).to_have_text(re.compile(r"^[0-9]+$"))
    tab.screenshot("account-desktop")

    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    me = api.get(f"{stack.web_url}/api/me", timeout=10)
    assert me.status_code == 200
    assert me.json()["email"] == "Ada@example.com"

    page.reload()  # shown once: after a reload, only its label and prefix remain
    expect(page.locator("#new-token")).to_be_hidden()
    assert token not in page.content()
    expect(page.locator(".token", has_text="deploy script")).to_contain_text(token[:10])
    expect(page.locator(".token", has_text="deploy script")).to_contain_text("expires")
    expect(page.get_by_label("Email address")).to_have_value("Ada@example.com")

    page.locator(".token", has_text="deploy script").get_by_role("button", name="Revoke").click()
    expect(page.locator(".token", has_text="deploy script")).to_have_count(0)
    expect(page.locator("#token-message")).to_contain_text("Revoked deploy script")
    assert api.get(f"{stack.web_url}/api/me", timeout=10).status_code == 401

    phone.sign_in(username)
    phone.page.goto("/account")
    phone.screenshot("account-phone")
    unexpected = [p for p in tab.problems if "422" not in p]
    assert unexpected == []


def test_a_form_post_without_its_csrf_token_is_refused(tab: Tab, username: str):
    page = tab.page
    tab.sign_in(username)
    page.locator("form.signout input[name=csrf_token]").evaluate("input => input.remove()")
    with page.expect_response("**/auth/logout") as refused:
        page.get_by_role("button", name=re.compile("^Sign out")).click()
    assert refused.value.status == 403
    assert "CSRF" in refused.value.text()
    page.goto("/")  # still signed in
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"@{username}")

    page.get_by_role("button", name=re.compile("^Sign out")).click()
    page.wait_for_url(tab.stack.web_url + "/")
    expect(page.get_by_role("link", name="Sign in with X")).to_be_visible()
    page.goto("/tweets")  # signed out: back to the landing page
    expect(page.get_by_role("link", name="Sign in with X")).to_be_visible()


def test_pages_send_their_security_headers_and_cache_static_files(tab: Tab, username: str):
    page = tab.page
    response = page.goto("/")
    assert response is not None
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    css = page.locator("link[rel=stylesheet]").get_attribute("href")
    asset = page.request.get(css)
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert tab.problems == []


def test_sign_out_everywhere_from_the_account_page(tab: Tab, phone: Tab, username: str):
    tab.sign_in(username)
    phone.sign_in(username)
    page = tab.page
    page.goto("/account")
    page.get_by_role("button", name="Sign out everywhere").click()
    page.wait_for_url(tab.stack.web_url + "/")
    expect(page.get_by_role("link", name="Sign in with X")).to_be_visible()
    phone.page.goto("/account")  # the other browser is signed out too
    expect(phone.page.get_by_role("link", name="Sign in with X")).to_be_visible()
    assert tab.problems == [] and phone.problems == []
