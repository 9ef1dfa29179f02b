"""The real server (``x-sandbox``: gunicorn, one threaded worker) driven by tweepy 4.17 itself."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import tweepy
from requests_oauthlib import OAuth1

from tests.support.processes import Process, console_script, free_port, wait_until

pytestmark = pytest.mark.system

CONSUMER_KEY = "server-test-key"
CONSUMER_SECRET = "server-test-secret"
X_HOST = "https://api.twitter.com"


class SandboxSession(requests.Session):
    """Sends tweepy's requests to the sandbox; runs before the OAuth signature is made."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        if isinstance(url, str) and url.startswith(X_HOST):
            url = self.base_url + url[len(X_HOST) :]
        kwargs.setdefault("timeout", 10)
        return super().request(method, url, *args, **kwargs)


class SandboxSignIn(tweepy.OAuth1UserHandler):
    def __init__(self, base_url: str) -> None:
        super().__init__(CONSUMER_KEY, CONSUMER_SECRET, callback="http://127.0.0.1:9/callback")
        self.base_url = base_url

    def _get_oauth_url(self, endpoint: str) -> str:
        return f"{self.base_url}/oauth/{endpoint}"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "X_SANDBOX_HOST": "127.0.0.1",
        "X_SANDBOX_PORT": str(port),
        "X_SANDBOX_PUBLIC_URL": url,
        "X_CONSUMER_KEY": CONSUMER_KEY,
        "X_CONSUMER_SECRET": CONSUMER_SECRET,
        "X_SANDBOX_THREADS": "4",
    }
    log_path: Path = tmp_path_factory.mktemp("x-sandbox") / "sandbox.log"
    server = Process("x-sandbox", [console_script("x-sandbox")], env, log_path).start()
    try:
        server.wait_for_http(f"{url}/_sandbox/health")
        yield url
        assert server.alive(), server.log_text()
        assert "Traceback" not in server.log_text(), server.log_text()
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def fresh(base_url: str) -> None:
    requests.post(f"{base_url}/_sandbox/reset", timeout=5).raise_for_status()


def sign_in(base_url: str, username: str) -> tuple[str, str]:
    handler = SandboxSignIn(base_url)
    authorize_url = handler.get_authorization_url(signin_with_twitter=True)
    assert authorize_url.startswith(f"{base_url}/oauth/authenticate?oauth_token=")
    r = requests.get(f"{authorize_url}&username={username}", allow_redirects=False, timeout=5)
    assert r.status_code == 302, r.text
    location = urlsplit(r.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "http://127.0.0.1:9/callback"
    verifier = parse_qs(location.query)["oauth_verifier"][0]
    return handler.get_access_token(verifier)


def x_client(base_url: str, token: str, secret: str) -> tweepy.Client:
    client = tweepy.Client(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        access_token=token,
        access_token_secret=secret,
    )
    client.session = SandboxSession(base_url)
    return client


def posted(base_url: str, username: str) -> list[dict]:
    r = requests.get(f"{base_url}/_sandbox/tweets", params={"username": username}, timeout=5)
    r.raise_for_status()
    return r.json()["data"]


def test_tweepy_signs_in_posts_reads_and_meets_duplicates(base_url: str):
    token, secret = sign_in(base_url, "alice")
    client = x_client(base_url, token, secret)

    created = client.create_tweet(text="Hello from tweepy", user_auth=True)
    tweet_id = created.data["id"]
    assert created.data["text"] == "Hello from tweepy"
    assert created.data["edit_history_tweet_ids"] == [tweet_id]

    with pytest.raises(tweepy.Forbidden) as refused:
        client.create_tweet(text="Hello from tweepy", user_auth=True)
    assert refused.value.api_messages == [
        "You are not allowed to create a Tweet with duplicate content."
    ]

    me = client.get_me(user_auth=True).data
    assert (me.username, me.name) == ("alice", "alice")
    assert str(me.id) == token.split("-")[0]

    listed = client.get_users_tweets(me.id, user_auth=True, tweet_fields=["created_at"])
    [tweet] = listed.data
    assert (str(tweet.id), tweet.text) == (tweet_id, "Hello from tweepy")
    assert tweet.created_at.tzinfo is not None
    assert abs((datetime.now(UTC) - tweet.created_at).total_seconds()) < 60
    assert listed.meta["result_count"] == 1

    assert [t["id"] for t in posted(base_url, "alice")] == [tweet_id]
    page = requests.get(f"{base_url}/alice/status/{tweet_id}", timeout=5)
    assert page.status_code == 200
    assert "Hello from tweepy" in page.text

    client.delete_tweet(tweet_id, user_auth=True)
    assert posted(base_url, "alice") == []


def test_tweepy_sees_rate_limits_outages_and_revocation(base_url: str):
    token, secret = sign_in(base_url, "bob")
    client = x_client(base_url, token, secret)
    faults = {"next_errors": [429, 503], "reset_after_s": 5}
    requests.post(f"{base_url}/_sandbox/faults", json=faults, timeout=5).raise_for_status()

    before = time.time()
    with pytest.raises(tweepy.TooManyRequests) as limited:
        client.create_tweet(text="rate limited", user_auth=True)
    assert before + 4 <= limited.value.reset_time <= time.time() + 6
    with pytest.raises(tweepy.TwitterServerError):
        client.create_tweet(text="rate limited", user_auth=True)
    client.create_tweet(text="rate limited", user_auth=True)

    requests.post(f"{base_url}/_sandbox/users/bob/revoke", timeout=5).raise_for_status()
    with pytest.raises(tweepy.Unauthorized):
        client.create_tweet(text="after revoke", user_auth=True)
    assert [t["text"] for t in posted(base_url, "bob")] == ["rate limited"]
    stats = requests.get(f"{base_url}/_sandbox/stats", timeout=5).json()
    assert stats == {
        "posts_attempted": 4,
        "posts_created": 1,
        "errors_by_status": {"401": 1, "429": 1, "503": 1},
    }


def test_a_client_that_gives_up_during_latency_still_leaves_the_tweet_posted(base_url: str):
    token, secret = sign_in(base_url, "carol")
    requests.post(
        f"{base_url}/_sandbox/faults", json={"latency_ms": 2500}, timeout=5
    ).raise_for_status()
    auth = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, token, secret)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        requests.post(f"{base_url}/2/tweets", json={"text": "lost answer"}, auth=auth, timeout=0.3)
    assert posted(base_url, "carol") == []  # still waiting inside the sandbox
    wait_until(lambda: posted(base_url, "carol") != [], timeout=10, what="the tweet to land")
    assert time.monotonic() - started >= 2.4
    assert [t["text"] for t in posted(base_url, "carol")] == ["lost answer"]
