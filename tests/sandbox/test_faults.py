"""Injected faults on POST /2/tweets: scripted errors, latency, real rate-limit windows."""

from __future__ import annotations

import math

from tests.support.sandbox_client import Account, FakeClock, Sandbox
from x_sandbox.tweets import x_timestamp


def stats(sandbox: Sandbox) -> dict:
    return sandbox.client.simulate_get("/_sandbox/stats").json


def test_scripted_429_carries_the_reset_then_the_next_post_works(
    sandbox: Sandbox, alice: Account, clock: FakeClock
):
    sandbox.set_faults(next_errors=[429])
    r = sandbox.post_tweet(alice, "patience")
    assert r.status_code == 429
    assert r.json == {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }
    assert r.headers["x-rate-limit-remaining"] == "0"
    assert int(r.headers["x-rate-limit-reset"]) == math.ceil(clock.now() + 2)
    assert "x-rate-limit-limit" in r.headers
    assert sandbox.posted() == []

    again = sandbox.post_tweet(alice, "patience")
    assert again.status_code == 201
    assert stats(sandbox) == {
        "posts_attempted": 2,
        "posts_created": 1,
        "errors_by_status": {"429": 1},
    }


def test_reset_after_s_moves_the_scripted_reset(sandbox: Sandbox, alice: Account, clock: FakeClock):
    sandbox.set_faults(next_errors=[429], reset_after_s=30)
    r = sandbox.post_tweet(alice, "later")
    assert int(r.headers["x-rate-limit-reset"]) == math.ceil(clock.now() + 30)


def test_scripted_errors_come_in_order_one_per_call(sandbox: Sandbox, alice: Account):
    sandbox.set_faults(next_errors=[503, 500, 401, 403, "duplicate", 502])
    answers = [sandbox.post_tweet(alice, "through the storm") for _ in range(7)]
    assert [r.status_code for r in answers] == [503, 500, 401, 403, 403, 502, 201]
    assert answers[0].json["title"] == "Service Unavailable"
    assert answers[0].json["status"] == 503
    assert answers[2].json["detail"] == "Unauthorized"
    assert answers[3].json["detail"] == "Forbidden"
    assert "duplicate content" in answers[4].json["detail"]
    assert all("x-rate-limit-reset" in r.headers for r in answers)
    assert len(sandbox.posted()) == 1
    assert stats(sandbox)["errors_by_status"] == {
        "401": 1,
        "403": 2,
        "500": 1,
        "502": 1,
        "503": 1,
    }


def test_scripted_errors_hit_only_posts(sandbox: Sandbox, alice: Account):
    sandbox.set_faults(next_errors=[503])
    assert sandbox.signed("GET", "/2/users/me", account=alice).status_code == 200
    assert sandbox.post_tweet(alice, "now").status_code == 503


def test_latency_is_spent_before_the_tweet_is_recorded(
    sandbox: Sandbox, alice: Account, clock: FakeClock
):
    sandbox.set_faults(latency_ms=1500)
    start = clock.now()
    r = sandbox.post_tweet(alice, "slowly")
    assert r.status_code == 201
    assert clock.slept == [1.5]
    [posted] = sandbox.posted()
    assert posted["created_at"] == x_timestamp(start + 1.5)


def test_user_rate_limit_window(sandbox: Sandbox, alice: Account, bob: Account, clock: FakeClock):
    sandbox.set_faults(rate_limit={"per_user": 2, "window_s": 60})
    start = clock.now()
    first = sandbox.post_tweet(alice, "one")
    second = sandbox.post_tweet(alice, "two")
    assert [first.status_code, second.status_code] == [201, 201]
    assert [first.headers["x-rate-limit-remaining"], second.headers["x-rate-limit-remaining"]] == [
        "1",
        "0",
    ]
    reset = math.ceil(start + 60)
    assert first.headers["x-rate-limit-limit"] == "2"
    assert int(first.headers["x-rate-limit-reset"]) == reset

    clock.advance(30)
    third = sandbox.post_tweet(alice, "three")
    assert third.status_code == 429
    assert third.headers["x-rate-limit-remaining"] == "0"
    assert int(third.headers["x-rate-limit-reset"]) == reset
    assert sandbox.post_tweet(bob, "bob is fine").status_code == 201

    clock.t = reset  # a client that waits until the reset finds a new window
    fourth = sandbox.post_tweet(alice, "three")
    assert fourth.status_code == 201
    assert fourth.headers["x-rate-limit-remaining"] == "1"
    assert [t["text"] for t in sandbox.posted("alice")] == ["one", "two", "three"]
    assert stats(sandbox)["errors_by_status"] == {"429": 1}


def test_app_rate_limit_spans_users(
    sandbox: Sandbox, alice: Account, bob: Account, clock: FakeClock
):
    sandbox.set_faults(rate_limit={"per_user": 10, "per_app": 3, "window_s": 100})
    assert sandbox.post_tweet(alice, "a1").headers["x-rate-limit-remaining"] == "2"
    assert sandbox.post_tweet(bob, "b1").headers["x-rate-limit-remaining"] == "1"
    last = sandbox.post_tweet(alice, "a2")
    assert (last.status_code, last.headers["x-rate-limit-remaining"]) == (201, "0")
    assert last.headers["x-rate-limit-limit"] == "3"
    refused = sandbox.post_tweet(bob, "b2")
    assert refused.status_code == 429
    clock.advance(100)
    assert sandbox.post_tweet(bob, "b2").status_code == 201


def test_faults_can_be_read_replaced_in_part_and_cleared(sandbox: Sandbox):
    client = sandbox.client
    assert client.simulate_get("/_sandbox/faults").json == {
        "latency_ms": 0,
        "next_errors": [],
        "next_media_errors": [],
        "reset_after_s": 2.0,
        "rate_limit": None,
    }
    sandbox.set_faults(latency_ms=250, next_errors=[503, "duplicate"])
    current = sandbox.set_faults(rate_limit={"per_user": 5, "window_s": 10}).json
    assert current["latency_ms"] == 250
    assert current["next_errors"] == [503, "duplicate"]
    assert current["rate_limit"] == {"per_user": 5, "per_app": None, "window_s": 10.0}
    assert client.simulate_get("/_sandbox/faults").json == current

    cleared = client.simulate_delete("/_sandbox/faults")
    assert cleared.status_code == 200
    assert client.simulate_get("/_sandbox/faults").json["next_errors"] == []
    assert client.simulate_get("/_sandbox/faults").json["rate_limit"] is None


def test_bad_faults_are_refused_and_change_nothing(sandbox: Sandbox):
    sandbox.set_faults(latency_ms=10)
    for bad in (
        {"latency_ms": -1},
        {"latency_ms": "fast"},
        {"next_errors": [200]},
        {"next_errors": ["boom"]},
        {"next_errors": 503},
        {"rate_limit": {"per_user": 0}},
        {"rate_limit": {"per_user": 1, "window_s": 0}},
        {"latency_ms": 5, "surprise": True},
        [1, 2],
    ):
        r = sandbox.client.simulate_post("/_sandbox/faults", json=bad)
        assert r.status_code == 400, bad
    r = sandbox.client.simulate_post("/_sandbox/faults", body="{not json")
    assert r.status_code == 400
    assert sandbox.client.simulate_get("/_sandbox/faults").json["latency_ms"] == 10


def test_latency_holds_back_both_oauth_token_requests(sandbox: Sandbox, clock: FakeClock):
    sandbox.set_faults(latency_ms=10_000)
    token, secret = sandbox.request_token()
    verifier = sandbox.approve(token, "carol")
    assert sandbox.access_token(token, secret, verifier).status_code == 200
    assert clock.slept == [10.0, 10.0]  # one wait per token request, none for the consent page
