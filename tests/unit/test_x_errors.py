"""X's answers are sorted into wait, back off, duplicate, or give up."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
import requests
import tweepy

from tests.support.silent_server import silent_server
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.settings import Settings
from tweetnow.shared.x_oauth2 import TokenRequestRefused
from tweetnow.tweeter.x_client import Outcome, PostingAccount, XClientFactory, classify


def response(status: int, body: dict, headers: dict[str, str] | None = None) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r.reason = "reason"
    r._content = json.dumps(body).encode()
    r.headers.update({"content-type": "application/json", **(headers or {})})
    return r


DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}


def test_429_waits_until_the_reset_x_names():
    exc = tweepy.TooManyRequests(
        response(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": "1000"})
    )
    failure = classify(exc, now=990.0)
    assert failure.outcome is Outcome.RATE_LIMITED
    assert failure.retry_after_s == pytest.approx(11.0)


def test_duplicate_content_is_recognised():
    failure = classify(tweepy.Forbidden(response(403, DUPLICATE)))
    assert failure.outcome is Outcome.DUPLICATE


@pytest.mark.parametrize(
    ("exc", "outcome", "words"),
    [
        (
            tweepy.Unauthorized(response(401, {"title": "Unauthorized", "detail": "Unauthorized"})),
            Outcome.PERMANENT,
            "sign in with X again",
        ),
        (
            tweepy.Forbidden(response(403, {"detail": "You are suspended."})),
            Outcome.PERMANENT,
            "You are suspended.",
        ),
        (
            tweepy.BadRequest(response(400, {"errors": [{"message": "text too long"}]})),
            Outcome.PERMANENT,
            "text too long",
        ),
        (
            tweepy.TwitterServerError(response(503, {"detail": "Service Unavailable"})),
            Outcome.TRANSIENT,
            "Service Unavailable",
        ),
        (requests.ConnectionError("refused"), Outcome.TRANSIENT, "could not reach X"),
        (requests.Timeout("slow"), Outcome.TRANSIENT, "Timeout"),
    ],
)
def test_errors_are_sorted(exc, outcome, words):
    failure = classify(exc)
    assert failure.outcome is outcome
    assert words in failure.reason


def test_foreign_errors_are_not_x_failures():
    assert classify(KeyError("x")) is None


def test_a_post_to_an_x_that_never_answers_gives_up_after_x_timeout_s():
    settings = Settings.from_env({"X_TIMEOUT_S": "0.3"})
    box = SecretBox(settings.encryption_keys)
    account = PostingAccount("1", box.encrypt("token"), box.encrypt("secret"))
    with silent_server() as x_api:
        client = XClientFactory(replace(settings, x_api_base_url=x_api), box).for_account(account)
        started = time.monotonic()
        with pytest.raises(requests.Timeout) as caught:
            client.create_tweet(text="into the void", user_auth=True)
    assert time.monotonic() - started < 5  # 0.3 s, against a server that never answers
    failure = classify(caught.value)
    assert failure is not None and failure.outcome is Outcome.TRANSIENT


def test_a_refresh_the_app_was_refused_for_is_retried_and_names_the_client_settings():
    exc = TokenRequestRefused("unauthorized_client", "Missing valid authorization header", 401)
    failure = classify(exc)
    assert failure is not None
    assert failure.outcome is Outcome.TRANSIENT
    assert "X_CLIENT_ID" in failure.reason
