"""Several X accounts in a real browser: connecting a second one from the account page
through the sandbox's consent page, and posting as it with the compose page's "Post as"."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser_tab import Tab
from tests.support.stack import Stack

pytestmark = pytest.mark.system


def test_a_second_account_chosen_on_the_compose_page_posts_under_its_own_handle(
    tab: Tab, stack: Stack, username: str
):
    page = tab.page
    tab.sign_in(username)
    expect(page.get_by_label("Post as")).to_have_count(0)  # one account: nothing to choose

    second = f"bo{uuid.uuid4().hex[:6]}"
    page.get_by_role("navigation").get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Connect another X account").click()
    page.get_by_label("User name").fill(second)
    page.get_by_role("button", name="Authorize app").click()
    page.wait_for_url(f"**/account?connected={second}")
    accounts = page.locator("#account-list li")
    expect(accounts).to_have_count(2)
    expect(accounts.nth(1)).to_contain_text(f"@{second}")
    expect(accounts.nth(1)).to_contain_text("OAuth 1.0a")
    expect(accounts.nth(1)).to_contain_text("never used")
    tab.screenshot("account-connected-accounts")

    page.get_by_role("navigation").get_by_role("link", name="Compose").click()
    page.get_by_label("Post as").select_option(label=f"@{second}")
    text = f"Posted as the second account #{uuid.uuid4().hex[:5]}"
    page.get_by_label("Your tweet").fill(text)
    with page.expect_response("**/api/tweets") as posted:
        page.get_by_role("button", name="Post").click()
    assert posted.value.status == 202
    tweet_id = posted.value.json()["tweet"]["id"]
    item = page.locator(f'#posted-list [data-tweet-id="{tweet_id}"]')
    expect(item.locator(".tweet-state .badge")).to_have_text("Sent")
    assert [t["text"] for t in stack.sandbox_tweets(second)] == [text]
    assert stack.sandbox_tweets(username) == []
    href = item.get_by_role("link", name="View on X").get_attribute("href")
    assert href is not None and f"/{second}/status/" in href
    assert tab.problems == []


def test_a_revoked_account_shows_a_banner_that_leads_to_reconnecting_it(
    tab: Tab, stack: Stack, username: str
):
    page = tab.page
    tab.sign_in(username)
    stack.revoke_x_user(username)
    page.get_by_label("Your tweet").fill(f"Waits for reconnecting #{uuid.uuid4().hex[:5]}")
    with page.expect_response("**/api/tweets") as posted:
        page.get_by_role("button", name="Post").click()
    assert posted.value.status == 202
    tweet_id = posted.value.json()["tweet"]["id"]

    page.get_by_role("navigation").get_by_role("link", name="My tweets").click()
    item = page.locator(f'[data-tweet-id="{tweet_id}"]')
    expect(item.locator(".tweet-state .badge")).to_have_text("Held: reconnect needed")
    page.reload()  # the banner is part of every page once the account needs reconnecting
    banner = page.locator("#reconnect-banner")
    expect(banner).to_contain_text(f"@{username}")
    tab.screenshot("tweets-held-reconnect-banner")

    banner.get_by_role("link", name=f"reconnect @{username}").click()
    page.get_by_label("User name").fill(username)
    page.get_by_role("button", name="Authorize app").click()
    page.wait_for_url(f"**/account?connected={username}")
    expect(page.locator("#reconnect-banner")).to_have_count(0)
    page.get_by_role("navigation").get_by_role("link", name="My tweets").click()
    expect(item.locator(".tweet-state .badge")).to_have_text("Sent")
    assert tab.problems == []
