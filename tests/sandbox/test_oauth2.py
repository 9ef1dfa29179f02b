"""OAuth 2.0 Authorization Code with PKCE on the sandbox: codes, Bearer tokens, refreshes."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.support.sandbox_client import FakeClock, Sandbox

REDIRECT = "http://127.0.0.1:8000/auth/x/callback"
SCOPES = "tweet.read tweet.write users.read offline.access media.write"


def _challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def _basic(sandbox: Sandbox, secret: str | None = None) -> dict[str, str]:
    pair = f"{sandbox.settings.client_id}:{secret or sandbox.settings.client_secret}"
    return {
        "Authorization": "Basic " + base64.b64encode(pair.encode()).decode(),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def _authorize(sandbox: Sandbox, verifier: str, username: str | None = "carol", **extra: str):
    params = {
        "response_type": "code",
        "client_id": sandbox.settings.client_id,
        "redirect_uri": REDIRECT,
        "scope": SCOPES,
        "state": "the-state",
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    if username is not None:
        params["username"] = username
    return sandbox.client.simulate_get("/2/oauth2/authorize", query_string=urlencode(params))


def _code(sandbox: Sandbox, verifier: str, username: str = "carol") -> str:
    r = _authorize(sandbox, verifier, username)
    assert r.status_code == 302, r.text
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query["state"] == ["the-state"]
    return query["code"][0]


def _token(sandbox: Sandbox, form: dict[str, str], secret: str | None = None):
    return sandbox.client.simulate_post(
        "/2/oauth2/token", headers=_basic(sandbox, secret), body=urlencode(form)
    )


def _sign_in(sandbox: Sandbox, username: str = "carol") -> dict:
    verifier = secrets.token_urlsafe(48)
    code = _code(sandbox, verifier, username)
    r = _token(
        sandbox,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )
    assert r.status_code == 200, r.text
    return r.json


def _post(sandbox: Sandbox, access_token: str, text: str):
    return sandbox.client.simulate_post(
        "/2/tweets", headers={"Authorization": f"Bearer {access_token}"}, json={"text": text}
    )


def test_code_exchange_gives_a_bearer_token_that_posts(sandbox: Sandbox) -> None:
    pair = _sign_in(sandbox)
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 7200
    assert pair["scope"] == SCOPES
    assert pair["refresh_token"]
    me = sandbox.client.simulate_get(
        "/2/users/me", headers={"Authorization": f"Bearer {pair['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json["data"]["username"] == "carol"
    posted = _post(sandbox, pair["access_token"], "over OAuth 2.0")
    assert posted.status_code == 201, posted.text
    assert [
        t["username"] for t in sandbox.client.simulate_get("/_sandbox/tweets").json["data"]
    ] == ["carol"]


def test_wrong_code_verifier_is_refused_and_spends_the_code(sandbox: Sandbox) -> None:
    verifier = secrets.token_urlsafe(48)
    code = _code(sandbox, verifier)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    wrong = _token(sandbox, {**form, "code_verifier": "not-the-verifier"})
    assert wrong.status_code == 400
    assert wrong.json["error"] == "invalid_request"
    assert "code verifier" in wrong.json["error_description"]
    again = _token(sandbox, {**form, "code_verifier": verifier})
    assert again.status_code == 400


def test_token_endpoint_needs_the_client_secret(sandbox: Sandbox) -> None:
    verifier = secrets.token_urlsafe(48)
    code = _code(sandbox, verifier)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    r = _token(sandbox, form, secret="wrong-secret")
    assert r.status_code == 401
    assert r.json["error"] == "unauthorized_client"


def test_authorize_refuses_a_plain_challenge_and_shows_a_page_without_username(
    sandbox: Sandbox,
) -> None:
    r = _authorize(sandbox, "v" * 50, code_challenge_method="plain")
    assert r.status_code == 400
    assert "S256" in r.text
    page = _authorize(sandbox, "v" * 50, username=None)
    assert page.status_code == 200
    assert 'name="code_challenge"' in page.text


def test_each_refresh_token_works_once_and_is_counted(sandbox: Sandbox) -> None:
    first = _sign_in(sandbox)
    refreshed = _token(
        sandbox, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json["refresh_token"] != first["refresh_token"]
    reused = _token(
        sandbox, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert reused.status_code == 400
    assert reused.json["error"] == "invalid_grant"
    counts = sandbox.client.simulate_get("/_sandbox/oauth2/refreshes").json["data"]
    assert counts == {"carol": 1}
    assert _post(sandbox, refreshed.json["access_token"], "after a refresh").status_code == 201


def test_access_token_runs_out_after_the_set_lifetime(sandbox: Sandbox, clock: FakeClock) -> None:
    r = sandbox.client.simulate_post("/_sandbox/oauth2/lifetime", json={"seconds": 30})
    assert r.status_code == 200
    pair = _sign_in(sandbox)
    assert pair["expires_in"] == 30
    clock.advance(31)
    expired = _post(sandbox, pair["access_token"], "too late")
    assert expired.status_code == 401
    assert expired.json["title"] == "Unauthorized"


@pytest.mark.parametrize("seconds", [0, "10", None])
def test_lifetime_hook_refuses_nonsense(sandbox: Sandbox, seconds: object) -> None:
    r = sandbox.client.simulate_post("/_sandbox/oauth2/lifetime", json={"seconds": seconds})
    assert r.status_code == 400


def test_revoking_ends_access_and_refresh(sandbox: Sandbox) -> None:
    pair = _sign_in(sandbox)
    assert sandbox.client.simulate_post("/_sandbox/users/carol/revoke").status_code == 200
    assert _post(sandbox, pair["access_token"], "revoked").status_code == 401
    r = _token(sandbox, {"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]})
    assert r.json["error"] == "invalid_grant"
    again = _sign_in(sandbox)
    assert _post(sandbox, again["access_token"], "connected again").status_code == 201


def test_expire_hook_ends_access_but_not_refresh(sandbox: Sandbox) -> None:
    pair = _sign_in(sandbox)
    r = sandbox.client.simulate_post("/_sandbox/users/carol/expire-tokens")
    assert r.json["data"]["expired"] == 1
    assert _post(sandbox, pair["access_token"], "expired").status_code == 401
    refreshed = _token(
        sandbox, {"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert _post(sandbox, refreshed.json["access_token"], "fresh again").status_code == 201
