"""The HTML pages: what was posted, one tweet, and the consent page; user text is escaped."""

from __future__ import annotations

from tests.support.sandbox_client import Account, Sandbox

NASTY = '<script>alert("x")</script> & "quotes" \'too\''


def test_index_lists_tweets_newest_first_escaped(sandbox: Sandbox, alice: Account):
    sandbox.post_tweet(alice, "older")
    sandbox.post_tweet(alice, NASTY)
    r = sandbox.client.simulate_get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "<script>" not in r.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in r.text
    assert r.text.index("&lt;script&gt;") < r.text.index("older")
    assert "Showing 2, newest first" in r.text


def test_index_when_empty(sandbox: Sandbox):
    assert "Nothing posted yet" in sandbox.client.simulate_get("/").text


def test_tweet_page(sandbox: Sandbox, alice: Account):
    tweet_id = sandbox.post_tweet(alice, NASTY).json["data"]["id"]
    r = sandbox.client.simulate_get(f"/alice/status/{tweet_id}")
    assert r.status_code == 200
    assert "@alice" in r.text
    assert "<script>" not in r.text
    assert "&lt;script&gt;" in r.text

    moved = sandbox.client.simulate_get(f"/someone/status/{tweet_id}")
    assert moved.status_code == 301
    assert moved.headers["location"] == f"/alice/status/{tweet_id}"

    assert sandbox.client.simulate_get("/alice/status/42").status_code == 404


def test_consent_page_escapes_what_was_typed(sandbox: Sandbox):
    token, _ = sandbox.request_token()
    r = sandbox.client.simulate_post(
        "/oauth/authenticate",
        body=f"oauth_token={token}&username=%22%3E%3Cimg+src%3Dx%3E&action=approve",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400
    assert "<img" not in r.text
    assert 'value="&quot;&gt;&lt;img src=x&gt;"' in r.text


def test_unknown_token_page_does_not_echo_the_token(sandbox: Sandbox):
    r = sandbox.client.simulate_get(
        "/oauth/authenticate", params={"oauth_token": "<b>bold</b>", "username": "zed"}
    )
    assert r.status_code == 400
    assert "<b>bold" not in r.text
