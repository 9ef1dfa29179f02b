"""The tweet path, end to end: sign in with X, get an API token, post, watch the job finish,
find the tweet on "X" (the sandbox) under the right user."""

from __future__ import annotations

import uuid

import requests

from tests.support.stack import Stack
from tweetnow.web.signin_binding import SIGNIN_COOKIE


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def test_sign_in_post_and_poll_to_succeeded(stack: Stack):
    alice = stack.sign_in()
    text = unique("Hello from tweetnow")
    r = alice.post_tweet(text)
    assert r.status_code == 202, r.text
    body = r.json()
    job_id = body["job"]["id"]
    assert r.headers["Location"] == f"/api/jobs/{job_id}"

    job = alice.wait_job(job_id)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 1
    assert job["started_at"] and job["finished_at"]

    tweet = alice.tweet(body["tweet"]["id"])
    assert tweet["status"] == "sent"
    posted = stack.sandbox_tweets(alice.username)
    assert [(t["text"], t["username"]) for t in posted] == [(text, alice.username)]
    assert tweet["x_tweet_id"] == posted[0]["id"]
    assert tweet["url"].endswith(f"/{alice.username}/status/{posted[0]['id']}")
    assert tweet["sent_at"] is not None


def test_the_request_id_travels_with_the_job(stack: Stack):
    bob = stack.sign_in()
    r = bob.api().post(
        bob.url("/api/tweets"),
        json={"text": unique("traced")},
        headers={"X-Request-ID": "trace-" + uuid.uuid4().hex[:12]},
        timeout=10,
    )
    job = bob.wait_job(r.json()["job"]["id"])
    assert job["request_id"] == r.request.headers["X-Request-ID"]


def test_browser_session_posts_with_csrf_and_is_refused_without(stack: Stack):
    carol = stack.sign_in()
    url = carol.url("/api/tweets")
    refused = carol.session.post(url, json={"text": unique("no csrf")}, timeout=10)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["title"]
    wrong = carol.session.post(
        url, json={"text": unique("bad csrf")}, headers={"X-CSRF-Token": "nope"}, timeout=10
    )
    assert wrong.status_code == 403
    ok = carol.session.post(
        url, json={"text": unique("with csrf")}, headers={"X-CSRF-Token": carol.csrf}, timeout=10
    )
    assert ok.status_code == 202
    assert carol.wait_job(ok.json()["job"]["id"])["status"] == "succeeded"
    assert len(stack.sandbox_tweets(carol.username)) == 1


def test_tokens_are_shown_once_listed_and_revocable(stack: Stack):
    dave = stack.sign_in()
    token = dave.create_token("laptop")
    listed = dave.session.get(dave.url("/api/tokens"), timeout=10).json()["data"]
    assert [t["label"] for t in listed] == ["laptop"]
    assert "token" not in listed[0]
    assert token.startswith(listed[0]["prefix"])
    # An API token cannot mint more tokens: that needs the browser session.
    minted = dave.api().post(dave.url("/api/tokens"), json={"label": "x"}, timeout=10)
    assert minted.status_code == 403
    revoke = dave.session.delete(
        dave.url(f"/api/tokens/{listed[0]['id']}"),
        headers={"X-CSRF-Token": dave.csrf},
        timeout=10,
    )
    assert revoke.status_code == 204
    after = requests.post(
        dave.url("/api/tweets"),
        json={"text": "after revoke"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert after.status_code == 401


def test_sign_out_ends_the_session(stack: Stack):
    erin = stack.sign_in()
    out = erin.session.post(
        erin.url("/auth/logout"), headers={"X-CSRF-Token": erin.csrf}, timeout=10
    )
    assert out.status_code == 204
    r = erin.session.get(erin.url("/api/tweets"), timeout=10)
    assert r.status_code == 401


def test_a_replayed_oauth_callback_is_refused(stack: Stack):
    s = requests.Session()
    login = s.get(f"{stack.web_url}/auth/x/login", allow_redirects=False, timeout=10)
    approve = s.get(login.headers["Location"] + "&username=replayer", allow_redirects=False)
    callback = approve.headers["Location"]
    bound = {SIGNIN_COOKIE: s.cookies[SIGNIN_COOKIE]}  # replayed from the same browser
    assert s.get(callback, allow_redirects=False, timeout=10).status_code == 303
    replay = requests.get(callback, cookies=bound, allow_redirects=False, timeout=10)
    assert replay.status_code == 400
    assert "already used" in replay.json()["description"]
    missing = requests.get(f"{stack.web_url}/auth/x/callback", allow_redirects=False, timeout=10)
    assert missing.status_code == 400


def test_readiness_reports_dependencies(stack: Stack):
    r = requests.get(f"{stack.web_url}/readyz", timeout=10)
    assert r.status_code == 200
    assert r.json()["checks"] == {"redis": "ok", "database": "ok"}
