"""Request bodies in-process: deep JSON is a 400 that says so, and a form is held to the
body limit before it is parsed. (Chunked bodies need a real server:
tests/system/test_request_bodies.py.)"""

from __future__ import annotations

import falcon
import pytest

from tests.support.accounts import make_user
from tests.support.web_api import assert_nothing_written, bearer
from tests.support.web_browser import Browser, session_cookies
from tweetnow.web.api.bodies import MAX_JSON_DEPTH, nested_deeper_than
from tweetnow.web.sessions import CSRF_COOKIE


def nested(depth: int) -> str:
    """A tweet body whose extra field nests ``depth`` levels (the object itself is one)."""
    return '{"text": "hi", "extra": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def test_json_nested_a_thousand_deep_is_400_not_500(client, alice, redis_client):
    _, token = alice
    # Within the unit tests' 2048-byte limit, and deeper than the decoder can recurse.
    for body in (nested(1005), "[" * 1020 + "]" * 1020):
        r = client.simulate_post(
            "/api/tweets", headers=bearer(token), body=body, content_type="application/json"
        )
        assert r.status_code == 400, r.text
        assert r.json["title"] == "JSON nested too deeply"
        assert f"at most {MAX_JSON_DEPTH} levels" in r.json["description"]
    assert_nothing_written(redis_client)


def test_json_at_the_depth_limit_is_read_as_usual(client, alice):
    _, token = alice
    r = client.simulate_post(
        "/api/tweets",
        headers=bearer(token),
        body=nested(MAX_JSON_DEPTH),
        content_type="application/json",
    )
    assert r.status_code == 422  # decoded, then refused for its unknown field
    assert "unknown field `extra`" in r.json["description"]


@pytest.mark.parametrize(
    ("body", "deeper"),
    [
        (b'{"text": "' + b"[" * 100 + b'"}', False),  # brackets in a string do not count
        (b'{"text": "\\"' + b"[" * 100 + b'"}', False),  # nor after an escaped quote
        (b"[" * 33 + b"]" * 33, True),
        (b"[" * 32 + b"]" * 32, False),
        (b"[[]]" * 100, False),  # many brackets, little depth
    ],
)
def test_depth_counts_arrays_and_objects_outside_strings(body, deeper):
    assert nested_deeper_than(body, MAX_JSON_DEPTH) is deeper


def test_a_form_over_the_limit_is_413_before_it_is_parsed(client, deps):
    browser = Browser(client, session_cookies(deps, make_user(deps.box, "grace")))
    # A valid token first, then padding past MAX_BODY_BYTES (2048 in unit tests).
    body = f"csrf_token={browser.cookies[CSRF_COOKIE]}&pad={'x' * 3000}"
    r = browser.post("/auth/logout", body=body, content_type=falcon.MEDIA_URLENCODED)
    assert r.status_code == 413, r.text
    assert "limit is 2048" in r.json["description"]
    assert "What's happening" in browser.get("/").text  # still signed in: nothing was done
