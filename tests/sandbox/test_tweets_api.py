"""POST/DELETE /2/tweets and GET /2/users/{id}/tweets, in X's shapes."""

from __future__ import annotations

import re

from tests.support.sandbox_client import Account, FakeClock, Sandbox

DUPLICATE_403 = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"


def test_posting_answers_201_with_x_shape_and_rate_limit_headers(
    sandbox: Sandbox, alice: Account, clock: FakeClock
):
    r = sandbox.post_tweet(alice, "hello from the sandbox")
    assert r.status_code == 201
    tweet_id = r.json["data"]["id"]
    assert r.json == {
        "data": {
            "id": tweet_id,
            "text": "hello from the sandbox",
            "edit_history_tweet_ids": [tweet_id],
        }
    }
    assert re.fullmatch(r"[1-9][0-9]{17,18}", tweet_id)
    assert int(r.headers["x-rate-limit-limit"]) >= 1000
    assert int(r.headers["x-rate-limit-remaining"]) == int(r.headers["x-rate-limit-limit"]) - 1
    assert int(r.headers["x-rate-limit-reset"]) > clock.now()

    [posted] = sandbox.posted()
    assert posted["id"] == tweet_id
    assert posted["author_id"] == alice.user_id
    assert posted["username"] == "alice"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", posted["created_at"])
    assert posted["url"] == f"http://127.0.0.1:8081/alice/status/{tweet_id}"


def test_ids_increase(sandbox: Sandbox, alice: Account):
    ids = [int(sandbox.post_tweet(alice, f"tweet {n}").json["data"]["id"]) for n in range(5)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 5


def test_other_fields_of_x_body_are_accepted(sandbox: Sandbox, alice: Account):
    first = sandbox.post_tweet(alice, "the first").json["data"]["id"]
    body = {
        "text": "a reply",
        "reply": {"in_reply_to_tweet_id": first},
        "reply_settings": "following",
    }
    r = sandbox.signed("POST", "/2/tweets", account=alice, json=body)
    assert r.status_code == 201
    assert sandbox.posted()[-1]["in_reply_to_tweet_id"] == first


def test_a_reply_to_a_post_that_does_not_exist_is_refused_as_x_does(
    sandbox: Sandbox, alice: Account
):
    body = {"text": "a reply", "reply": {"in_reply_to_tweet_id": "1"}}
    r = sandbox.signed("POST", "/2/tweets", account=alice, json=body)
    assert r.status_code == 403
    assert r.json["detail"] == (
        "You attempted to reply to a Tweet that is deleted or not visible to you."
    )
    assert sandbox.posted() == []


def test_a_post_over_280_by_x_weighted_count_is_refused(sandbox: Sandbox, alice: Account):
    assert sandbox.post_tweet(alice, "a" * 280).status_code == 201
    refused = [
        "b" * 281,
        "c" * 300,
        "日本" * 71,  # CJK weighs 2: 284
        "https://example.com/a-long-path " + "d" * 257,  # the URL counts 23, a space 1: 281
    ]
    for text in refused:
        r = sandbox.post_tweet(alice, text)
        assert r.status_code == 400, text
        assert r.json["type"] == INVALID_REQUEST
        assert "too long" in r.json["errors"][0]["message"]
    assert sandbox.post_tweet(alice, "日本" * 70).status_code == 201
    assert len(sandbox.posted()) == 2


def test_empty_or_missing_text_is_an_invalid_request(sandbox: Sandbox, alice: Account):
    for body in ({"text": ""}, {"text": "   "}, {}, {"text": 5}, ["text"]):
        r = sandbox.signed("POST", "/2/tweets", account=alice, json=body)
        assert r.status_code == 400, body
        assert r.json["title"] == "Invalid Request"
        assert r.json["type"] == INVALID_REQUEST
        assert r.json["detail"] == "One or more parameters to your request was invalid."
        assert r.json["errors"][0]["message"]
    assert sandbox.posted() == []


def test_duplicate_content_is_refused_with_x_body(sandbox: Sandbox, alice: Account, bob: Account):
    assert sandbox.post_tweet(alice, "same words").status_code == 201
    r = sandbox.post_tweet(alice, "same words")
    assert (r.status_code, r.json) == (403, DUPLICATE_403)
    assert sandbox.post_tweet(bob, "same words").status_code == 201  # another author
    assert sandbox.post_tweet(alice, "same words!").status_code == 201
    assert [t["text"] for t in sandbox.posted("alice")] == ["same words", "same words!"]


def test_delete_by_the_author(sandbox: Sandbox, alice: Account):
    tweet_id = sandbox.post_tweet(alice, "short-lived").json["data"]["id"]
    r = sandbox.signed("DELETE", f"/2/tweets/{tweet_id}", account=alice)
    assert (r.status_code, r.json) == (200, {"data": {"deleted": True}})
    assert "x-rate-limit-remaining" in r.headers
    assert sandbox.posted() == []
    assert sandbox.post_tweet(alice, "short-lived").status_code == 201  # no longer a duplicate


def test_delete_by_someone_else_or_of_nothing(sandbox: Sandbox, alice: Account, bob: Account):
    tweet_id = sandbox.post_tweet(alice, "mine").json["data"]["id"]
    r = sandbox.signed("DELETE", f"/2/tweets/{tweet_id}", account=bob)
    assert r.status_code == 403
    assert r.json["title"] == "Forbidden"
    assert len(sandbox.posted()) == 1

    missing = sandbox.signed("DELETE", "/2/tweets/1234567890", account=alice)
    assert missing.status_code == 404
    assert missing.json["title"] == "Not Found Error"
    assert missing.json["type"] == "https://api.twitter.com/2/problems/resource-not-found"
    assert missing.json["errors"][0]["resource_id"] == "1234567890"

    garbage = sandbox.signed("DELETE", "/2/tweets/abc", account=alice)
    assert garbage.status_code == 400


def test_users_tweets_newest_first_with_requested_fields(
    sandbox: Sandbox, alice: Account, bob: Account, clock: FakeClock
):
    for n in range(3):
        sandbox.post_tweet(alice, f"alice {n}")
        clock.advance(1)
    sandbox.post_tweet(bob, "bob's")
    r = sandbox.signed("GET", f"/2/users/{alice.user_id}/tweets", account=bob)
    assert r.status_code == 200
    texts = [t["text"] for t in r.json["data"]]
    assert texts == ["alice 2", "alice 1", "alice 0"]
    assert set(r.json["data"][0]) == {"id", "text", "edit_history_tweet_ids"}
    ids = [t["id"] for t in r.json["data"]]
    assert r.json["meta"] == {"result_count": 3, "newest_id": ids[0], "oldest_id": ids[-1]}

    with_dates = sandbox.signed(
        "GET",
        f"/2/users/{alice.user_id}/tweets",
        account=alice,
        params={"tweet.fields": "created_at,author_id"},
    )
    first = with_dates.json["data"][0]
    assert first["author_id"] == alice.user_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["created_at"])
    assert first["created_at"] > with_dates.json["data"][1]["created_at"]


def test_users_tweets_pages_and_bounds(sandbox: Sandbox, alice: Account):
    for n in range(7):
        sandbox.post_tweet(alice, f"n{n}")
    path = f"/2/users/{alice.user_id}/tweets"
    first = sandbox.signed("GET", path, account=alice, params={"max_results": "5"})
    assert [t["text"] for t in first.json["data"]] == ["n6", "n5", "n4", "n3", "n2"]
    token = first.json["meta"]["next_token"]
    rest = sandbox.signed(
        "GET", path, account=alice, params={"max_results": "5", "pagination_token": token}
    )
    assert [t["text"] for t in rest.json["data"]] == ["n1", "n0"]
    assert "next_token" not in rest.json["meta"]

    for bad in ("4", "101", "ten"):
        r = sandbox.signed("GET", path, account=alice, params={"max_results": bad})
        assert r.status_code == 400
        assert r.json["errors"][0]["parameters"] == {"max_results": [bad]}


def test_users_tweets_when_there_are_none(sandbox: Sandbox, alice: Account):
    r = sandbox.signed("GET", f"/2/users/{alice.user_id}/tweets", account=alice)
    assert (r.status_code, r.json) == (200, {"meta": {"result_count": 0}})
