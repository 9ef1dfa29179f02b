"""Signing in and posting over OAuth 2.0 with PKCE (a web started with X_AUTH=oauth2), and
refreshing a connection's tokens once when they run out while three tweeters post."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from PIL import Image

from tests.support.local_stack import LocalStack
from tests.support.processes import Process, wait_until
from tests.support.stack import Person, Stack


@pytest.fixture(scope="module")
def oauth2_stack(local: LocalStack, stack: Stack) -> Iterator[Stack]:
    """A second web on the same database, Redis and sandbox, signing in over OAuth 2.0."""
    proc, url = local.start_web("web-oauth2", X_AUTH="oauth2")
    yield Stack(web_url=url, sandbox_url=stack.sandbox_url)
    proc.stop()


def _refreshes(stack: Stack, username: str) -> int:
    r = requests.get(f"{stack.sandbox_url}/_sandbox/oauth2/refreshes", timeout=10)
    r.raise_for_status()
    return int(r.json()["data"].get(username.lower(), 0))


def _expire_tokens(stack: Stack, username: str) -> None:
    r = requests.post(f"{stack.sandbox_url}/_sandbox/users/{username}/expire-tokens", timeout=10)
    r.raise_for_status()
    assert r.json()["data"]["expired"] >= 1


def _post_all(person: Person, texts: list[str]) -> list[dict]:
    jobs = []
    for text in texts:
        r = person.post_tweet(text)
        assert r.status_code == 202, (r.status_code, r.text)
        jobs.append(r.json()["job"]["id"])
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda job_id: person.wait_job(job_id, timeout=60), jobs))


def test_sign_in_with_oauth2_and_post(oauth2_stack: Stack) -> None:
    username = f"o2{uuid.uuid4().hex[:10]}"
    person = oauth2_stack.sign_in(username)
    (account,) = person.accounts()
    assert account["method"] == "oauth2"
    assert account["username"] == username

    (job,) = _post_all(person, [f"over OAuth 2.0 {uuid.uuid4().hex[:6]}"])
    assert job["status"] == "succeeded", job
    assert [t["username"] for t in oauth2_stack.sandbox_tweets(username)] == [username]
    assert _refreshes(oauth2_stack, username) == 0


def test_connect_another_account_over_oauth2_and_post_as_it(oauth2_stack: Stack) -> None:
    person = oauth2_stack.sign_in(f"o2{uuid.uuid4().hex[:10]}")
    second = f"o2{uuid.uuid4().hex[:10]}"
    connected = person.connect_x_account(second)
    assert connected["method"] == "oauth2"
    assert connected["status"] == "active"

    text = f"as the second account {uuid.uuid4().hex[:6]}"
    r = person.post_tweet(text, account_id=connected["id"])
    assert r.status_code == 202, r.text
    assert person.wait_job(r.json()["job"]["id"])["status"] == "succeeded"
    assert [t["text"] for t in oauth2_stack.sandbox_tweets(second)] == [text]


def test_callback_from_another_browser_is_refused(oauth2_stack: Stack) -> None:
    callback = oauth2_stack.approved_callback(requests.Session(), f"o2{uuid.uuid4().hex[:10]}")
    assert "code=" in callback and "state=" in callback
    r = requests.get(callback, allow_redirects=False, timeout=10)
    assert r.status_code == 400
    assert "another browser" in r.text


def test_expired_token_is_refreshed_once_while_three_tweeters_post(
    oauth2_stack: Stack, local: LocalStack
) -> None:
    username = f"o2{uuid.uuid4().hex[:10]}"
    person = oauth2_stack.sign_in(username)
    extra: list[Process] = [local.start_tweeter(), local.start_tweeter()]
    try:
        tag = uuid.uuid4().hex[:6]
        before = _post_all(person, [f"before expiry {tag} #{n}" for n in range(5)])
        assert {j["status"] for j in before} == {"succeeded"}

        _expire_tokens(oauth2_stack, username)
        after = _post_all(person, [f"after expiry {tag} #{n}" for n in range(20)])
        assert {j["status"] for j in after} == {"succeeded"}, after
    finally:
        for proc in extra:
            proc.stop()
            local.tweeters.remove(proc)

    assert _refreshes(oauth2_stack, username) == 1
    texts = [t["text"] for t in oauth2_stack.sandbox_tweets(username)]
    assert len(texts) == 25
    assert len(set(texts)) == 25  # none doubled
    logs = "".join(p.log_text() for p in local.tweeters if p.alive()) + "".join(
        p.log_text() for p in extra
    )
    assert logs.count('"x_token_refreshed"') + logs.count('x_token_refreshed"') >= 1


def _set_lifetime(stack: Stack, seconds: int) -> None:
    r = requests.post(
        f"{stack.sandbox_url}/_sandbox/oauth2/lifetime", json={"seconds": seconds}, timeout=10
    )
    r.raise_for_status()


def test_token_running_out_soon_is_refreshed_before_the_post(
    oauth2_stack: Stack, local: LocalStack
) -> None:
    """X hands out tokens that run out within the tweeter's margin (5 minutes): still
    good, yet the tweeter refreshes once before posting."""
    username = f"o2{uuid.uuid4().hex[:10]}"
    _set_lifetime(oauth2_stack, 120)
    try:
        person = oauth2_stack.sign_in(username)
        (job,) = _post_all(person, [f"refreshed first {uuid.uuid4().hex[:6]}"])
    finally:
        _set_lifetime(oauth2_stack, 7200)
    assert job["status"] == "succeeded", job
    assert _refreshes(oauth2_stack, username) == 1
    assert len(oauth2_stack.sandbox_tweets(username)) == 1


def test_an_image_goes_up_with_a_bearer_token_refreshed_after_it_ran_out(
    oauth2_stack: Stack,
) -> None:
    username = f"o2{uuid.uuid4().hex[:10]}"
    person = oauth2_stack.sign_in(username)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 30)).save(out, format="PNG")
    r = person.api().post(
        person.url("/api/media"),
        files={"file": ("photo.png", out.getvalue(), "application/octet-stream")},
        data={"alt_text": "An orange square"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    _expire_tokens(oauth2_stack, username)

    text = f"with an image {uuid.uuid4().hex[:6]}"
    r = person.post_tweet(text, media_ids=[r.json()["id"]])
    assert r.status_code == 202, r.text
    job = person.wait_job(r.json()["job"]["id"], timeout=60)
    assert job["status"] == "succeeded", job
    (posted,) = oauth2_stack.sandbox_tweets(username)
    assert posted["text"] == text
    assert [m["alt_text"] for m in posted["media"]] == ["An orange square"]
    assert _refreshes(oauth2_stack, username) == 1


def test_a_revoked_oauth2_connection_holds_its_tweet_until_signed_in_again(
    oauth2_stack: Stack,
) -> None:
    """X refuses the refresh (invalid_grant), so X's 401 stands: the tweet is held, as for a
    revoked OAuth 1.0a account, and goes out once the person signs in again."""
    username = f"o2{uuid.uuid4().hex[:10]}"
    person = oauth2_stack.sign_in(username)
    requests.post(
        f"{oauth2_stack.sandbox_url}/_sandbox/users/{username}/revoke", timeout=10
    ).raise_for_status()

    text = f"held over OAuth 2.0 {uuid.uuid4().hex[:6]}"
    r = person.post_tweet(text)
    assert r.status_code == 202, r.text
    tweet_id = r.json()["tweet"]["id"]
    seen: dict = {}

    def has_status(status: str) -> bool:
        seen.update(person.tweet(tweet_id))
        return seen["status"] == status

    wait_until(lambda: has_status("held"), timeout=30, what=f"tweet {tweet_id} held")
    assert f"@{username}" in seen["error"]
    assert _refreshes(oauth2_stack, username) == 0
    assert oauth2_stack.sandbox_tweets(username) == []

    oauth2_stack.sign_in(username, session=person.session)  # reconnects, new tokens
    wait_until(lambda: has_status("sent"), timeout=30, what=f"tweet {tweet_id} sent")
    assert [t["text"] for t in oauth2_stack.sandbox_tweets(username)] == [text]
