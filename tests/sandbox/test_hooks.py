"""The /_sandbox/ hooks: health, posted tweets, reset, revoke, stats."""

from __future__ import annotations

from tests.support.sandbox_client import Account, Sandbox


def test_health(sandbox: Sandbox):
    r = sandbox.client.simulate_get("/_sandbox/health")
    assert (r.status_code, r.json) == (200, {"status": "ok"})


def test_posted_tweets_oldest_first_and_by_user(sandbox: Sandbox, alice: Account, bob: Account):
    sandbox.post_tweet(alice, "first")
    sandbox.post_tweet(bob, "second")
    sandbox.post_tweet(alice, "third")
    assert [t["text"] for t in sandbox.posted()] == ["first", "second", "third"]
    assert [t["text"] for t in sandbox.posted("ALICE")] == ["first", "third"]
    assert {t["username"] for t in sandbox.posted("bob")} == {"bob"}
    assert sandbox.posted("nobody") == []


def test_revoked_users_get_401_until_they_authorize_again(
    sandbox: Sandbox, alice: Account, bob: Account
):
    r = sandbox.client.simulate_post("/_sandbox/users/Alice/revoke")
    assert r.status_code == 200
    refused = sandbox.post_tweet(alice, "after revoke")
    assert refused.status_code == 401
    assert refused.json["title"] == "Unauthorized"
    assert sandbox.signed("GET", "/2/users/me", account=alice).status_code == 401
    assert sandbox.post_tweet(bob, "bob still can").status_code == 201
    assert sandbox.posted("alice") == []

    again = sandbox.sign_in("alice")
    assert sandbox.post_tweet(again, "back again").status_code == 201


def test_revoke_refuses_what_is_not_a_user_name(sandbox: Sandbox):
    assert sandbox.client.simulate_post("/_sandbox/users/no%20way/revoke").status_code == 400


def test_reset_forgets_tweets_faults_tokens_revocations_and_counts(
    sandbox: Sandbox, alice: Account, bob: Account
):
    sandbox.post_tweet(alice, "before reset")
    sandbox.set_faults(
        latency_ms=100, next_errors=[503], next_media_errors=[503], rate_limit={"per_user": 1}
    )
    sandbox.client.simulate_post("/_sandbox/users/bob/revoke")
    pending, _ = sandbox.request_token()

    r = sandbox.client.simulate_post("/_sandbox/reset")
    assert r.status_code == 200

    assert sandbox.posted() == []
    assert sandbox.client.simulate_get("/_sandbox/faults").json == {
        "latency_ms": 0,
        "next_errors": [],
        "next_media_errors": [],
        "reset_after_s": 2.0,
        "rate_limit": None,
    }
    assert sandbox.client.simulate_get("/_sandbox/stats").json == {
        "posts_attempted": 0,
        "posts_created": 0,
        "errors_by_status": {},
    }
    page = sandbox.client.simulate_get("/oauth/authenticate", params={"oauth_token": pending})
    assert page.status_code == 400
    # Access tokens need no state: both users post again, bob is no longer revoked.
    assert sandbox.post_tweet(bob, "after reset").status_code == 201
    assert sandbox.post_tweet(alice, "before reset").status_code == 201


def test_stats_count_every_answer_to_a_post(sandbox: Sandbox, alice: Account):
    sandbox.post_tweet(alice, "ok")
    sandbox.post_tweet(alice, "ok")  # duplicate
    sandbox.signed("POST", "/2/tweets", account=alice, json={"text": ""})
    sandbox.client.simulate_post("/2/tweets", json={"text": "unsigned"})
    sandbox.signed("GET", "/2/users/me", account=alice)  # not a post
    assert sandbox.client.simulate_get("/_sandbox/stats").json == {
        "posts_attempted": 4,
        "posts_created": 1,
        "errors_by_status": {"400": 1, "401": 1, "403": 1},
    }
