"""Several X accounts per person: connecting a second one from the account page, listing
them, and posting as the one chosen (the tweeter uses that account's own tokens, so the
sandbox, which checks every signature, files the tweet under its handle)."""

from __future__ import annotations

import uuid

from tests.support.stack import Stack


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def handle() -> str:
    return f"acct{uuid.uuid4().hex[:10]}"


def test_a_second_account_connected_from_the_account_page_posts_under_its_own_handle(
    stack: Stack,
):
    alice = stack.sign_in(handle())
    second = handle()
    connected = alice.connect_x_account(second)

    accounts = alice.accounts()
    assert [a["username"] for a in accounts] == [alice.username, second]
    assert [a["signed_in_with"] for a in accounts] == [True, False]
    assert {a["method"] for a in accounts} == {"oauth1"}
    assert {a["status"] for a in accounts} == {"active"}
    assert connected["last_used_at"] is None
    page = alice.session.get(alice.url("/"), timeout=10).text
    assert 'id="account-picker"' in page and f"@{second}" in page

    text = unique("Posted as the second account")
    r = alice.post_tweet(text, account_id=connected["id"])
    assert r.status_code == 202, r.text
    assert r.json()["tweet"]["account_id"] == connected["id"]
    job = alice.wait_job(r.json()["job"]["id"])
    assert job["status"] == "succeeded", job

    assert [t["text"] for t in stack.sandbox_tweets(second)] == [text]
    assert stack.sandbox_tweets(alice.username) == []
    tweet = alice.tweet(r.json()["tweet"]["id"])
    assert tweet["url"].endswith(f"/{second}/status/{tweet['x_tweet_id']}")
    used = next(a for a in alice.accounts() if a["id"] == connected["id"])
    assert used["last_used_at"] is not None

    # Without account_id, the tweet goes out as the account signed in with.
    plain = unique("Posted as the sign-in account")
    r = alice.post_tweet(plain)
    assert r.status_code == 202, r.text
    assert alice.wait_job(r.json()["job"]["id"])["status"] == "succeeded"
    assert [t["text"] for t in stack.sandbox_tweets(alice.username)] == [plain]


def test_posting_as_an_account_that_is_not_the_callers_is_refused_with_422(stack: Stack):
    alice = stack.sign_in(handle())
    bob = stack.sign_in(handle())
    bobs = bob.connect_x_account(handle())
    for account_id in (bobs["id"], 999_999_999):
        r = alice.post_tweet(unique("Not mine"), account_id=account_id)
        assert r.status_code == 422, r.text
        assert "account_id" in r.text
    assert alice.api().get(alice.url("/api/tweets"), timeout=10).json()["data"] == []


def test_connecting_an_account_needs_a_signed_in_browser(stack: Stack):
    r = (
        stack.sign_in(handle())
        .api()
        .get(stack.web_url + "/auth/x/login?intent=connect", allow_redirects=False, timeout=10)
    )
    assert r.status_code == 401
