"""Sign-in and sessions against the real web, sandbox and database: the OAuth callback only
completes in the browser that started it, signing in again replaces that browser's
session, signing out everywhere ends them all, and API tokens expire."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta

import requests

from tests.support.local_stack import LocalStack
from tests.support.processes import wait_until
from tests.support.stack import Stack, http_session
from tweetnow.web.sessions import SESSION_COOKIE
from tweetnow.web.signin_binding import SIGNIN_COOKIE


def signed_in(stack: Stack, session: requests.Session) -> bool:
    return session.get(f"{stack.web_url}/api/me", timeout=10).status_code == 200


def test_a_callback_opened_in_another_browser_gets_no_session(stack: Stack):
    starter = http_session()
    callback = stack.approved_callback(starter, "binder")

    # A browser that never started a sign-in.
    other = http_session()
    refused = other.get(callback, allow_redirects=False, timeout=10)
    assert refused.status_code == 400
    assert "another browser" in refused.json()["description"]
    assert SESSION_COOKIE not in other.cookies
    assert not signed_in(stack, other)

    # A browser that started a sign-in of its own: its cookie names another request token.
    stack.approved_callback(other, "someone_else")
    assert SIGNIN_COOKIE in other.cookies
    refused = other.get(callback, allow_redirects=False, timeout=10)
    assert refused.status_code == 400
    assert SESSION_COOKIE not in other.cookies
    assert not signed_in(stack, other)

    # A forged cookie naming the right token, without the server's signature.
    forged = requests.get(
        callback, cookies={SIGNIN_COOKIE: callback.split("oauth_token=")[1].split("&")[0]},
        allow_redirects=False, timeout=10,
    )  # fmt: skip
    assert forged.status_code == 400
    assert SESSION_COOKIE not in forged.cookies

    # The browser that started it still completes it, and forgets the sign-in.
    done = starter.get(callback, allow_redirects=False, timeout=10)
    assert done.status_code == 303, done.text
    assert signed_in(stack, starter)
    assert SIGNIN_COOKIE not in starter.cookies


def test_the_sign_in_cookie_is_short_lived_signed_and_http_only(stack: Stack):
    r = requests.get(f"{stack.web_url}/auth/x/login", allow_redirects=False, timeout=10)
    assert r.status_code == 303
    cookie = next(c for c in r.cookies if c.name == SIGNIN_COOKIE)
    assert cookie.path == "/auth/x"
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert "SameSite=Lax" in r.headers["Set-Cookie"]
    assert cookie.expires is not None
    lifetime = cookie.expires - datetime.now(UTC).timestamp()
    assert 0 < lifetime <= 15 * 60


def test_signing_in_again_ends_the_earlier_session_of_that_browser(stack: Stack):
    browser = http_session()
    first = stack.sign_in("again_a", session=browser)
    earlier = browser.cookies[SESSION_COOKIE]
    stack.sign_in("again_b", session=browser)  # someone else, in the same browser
    later = browser.cookies[SESSION_COOKIE]
    assert later != earlier
    assert browser.get(first.url("/api/me"), timeout=10).json()["username"] == "again_b"
    # The earlier session cookie, replayed from anywhere, no longer signs anyone in.
    replay = requests.get(first.url("/api/me"), cookies={SESSION_COOKIE: earlier}, timeout=10)
    assert replay.status_code == 401


def test_signing_out_everywhere_ends_every_session_of_the_person(stack: Stack):
    laptop = stack.sign_in("everywhere")
    phone = stack.sign_in("everywhere")
    stranger = stack.sign_in()
    token = laptop.create_token("script")

    # An API token cannot sign the person out: that needs a browser session.
    by_token = laptop.api().post(laptop.url("/auth/logout-all"), timeout=10)
    assert by_token.status_code == 403
    assert signed_in(stack, phone.session)
    without_csrf = laptop.session.post(laptop.url("/auth/logout-all"), timeout=10)
    assert without_csrf.status_code == 403
    assert signed_in(stack, phone.session)

    out = laptop.session.post(
        laptop.url("/auth/logout-all"), headers={"X-CSRF-Token": laptop.csrf}, timeout=10
    )
    assert out.status_code == 204, out.text
    assert not signed_in(stack, laptop.session)
    assert not signed_in(stack, phone.session)
    assert signed_in(stack, stranger.session)
    # API tokens are not sessions: they stay until revoked or expired.
    me = requests.get(
        laptop.url("/api/me"), headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert me.status_code == 200


def test_an_api_token_stops_working_when_it_expires(stack: Stack, local: LocalStack):
    person = stack.sign_in()
    made = person.session.post(
        person.url("/api/tokens"),
        json={"label": "a day", "expires_in_days": 1},
        headers={"X-CSRF-Token": person.csrf},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    issued = made.json()
    expires_at = datetime.fromisoformat(issued["expires_at"])
    assert timedelta(hours=23) < expires_at - datetime.now(UTC) <= timedelta(days=1)
    api = {"Authorization": f"Bearer {issued['token']}"}
    assert requests.get(person.url("/api/me"), headers=api, timeout=10).status_code == 200
    listed = person.session.get(person.url("/api/tokens"), timeout=10).json()["data"]
    assert listed[0]["last_used_at"] is not None
    assert listed[0]["expires_at"] == issued["expires_at"]

    # A day later, as far as the database can tell.
    path = local.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE apitoken SET expires_at = ? WHERE id = ?",
            ((datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S"),
             issued["id"]),
        )  # fmt: skip
    edited = time.monotonic()
    # Each web process remembers the token's expiry for API_TOKEN_CACHE_S (10 s), and the
    # local web runs several processes, each with its own memory: once 10 s have passed
    # since the edit, every one of them reads the new expiry.
    wait_until(
        lambda: requests.get(person.url("/api/me"), headers=api, timeout=10).status_code == 401,
        timeout=20,
        what="the web to read the token's new expiry",
        every=0.5,
    )
    time.sleep(max(0.0, edited + 10.5 - time.monotonic()))
    for _ in range(6):
        me = requests.get(person.url("/api/me"), headers=api, timeout=10)
        assert me.status_code == 401, me.text
        r = requests.post(person.url("/api/tweets"), json={"text": "late"}, headers=api, timeout=10)
        assert r.status_code == 401, r.text
        assert "expired" in r.json()["description"]
