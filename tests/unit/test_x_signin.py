"""Sign-in's calls to X on a deadline, in-process: X silent is "timed out" within
X_TIMEOUT_S, X unreachable is "unavailable", and the web answers each as a page for a
browser and as JSON for an API client. (Through real processes, with the sandbox
holding X back: tests/system/test_signin_deadlines.py.)"""

from __future__ import annotations

import time
from dataclasses import replace

import falcon
import falcon.testing
import pytest

from tests.support.answering_server import answering_server
from tests.support.processes import free_port
from tests.support.silent_server import silent_server
from tweetnow.shared.settings import Settings
from tweetnow.web.api.auth import SIGN_IN_WINDOW
from tweetnow.web.app import create_app
from tweetnow.web.deps import WebDeps
from tweetnow.web.signin_binding import SIGNIN_COOKIE, SignInBinding
from tweetnow.web.x_signin import Failure, XSignIn, XSignInError

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def signin_with(settings: Settings, x_api: str) -> XSignIn:
    return XSignIn(replace(settings, x_api_base_url=x_api, x_timeout_s=0.3))


def test_starting_against_a_silent_x_times_out_within_x_timeout_s(settings):
    with silent_server() as x_api:
        started = time.monotonic()
        with pytest.raises(XSignInError) as caught:
            signin_with(settings, x_api).start()
    assert time.monotonic() - started < 5  # 0.3 s, against a server that never answers
    assert caught.value.failure is Failure.TIMED_OUT


def test_finishing_against_a_silent_x_times_out_within_x_timeout_s(settings):
    with silent_server() as x_api:
        started = time.monotonic()
        with pytest.raises(XSignInError) as caught:
            signin_with(settings, x_api).finish("request-token", "secret", "verifier")
    assert time.monotonic() - started < 5
    assert caught.value.failure is Failure.TIMED_OUT


def test_an_unreachable_x_is_unavailable(settings):
    with pytest.raises(XSignInError) as caught:
        signin_with(settings, f"http://127.0.0.1:{free_port()}").start()
    assert caught.value.failure is Failure.UNAVAILABLE


@pytest.mark.parametrize(
    ("status", "failure"),
    [(503, Failure.UNAVAILABLE), (500, Failure.UNAVAILABLE), (401, Failure.REFUSED)],
)
def test_x_answering_a_token_request_with_an_error_is_unavailable_or_refused(
    settings, status, failure
):
    with answering_server(status) as x, pytest.raises(XSignInError) as caught:
        signin_with(settings, x.url).finish("request-token", "secret", "verifier")
    assert caught.value.failure is failure


@pytest.fixture
def app_without_x(settings, db, redis_client) -> falcon.testing.TestClient:
    unreachable = replace(settings, x_api_base_url=f"http://127.0.0.1:{free_port()}")
    return falcon.testing.TestClient(create_app(WebDeps.from_settings(unreachable)))


def test_x_unreachable_at_sign_in_is_a_page_for_a_person(app_without_x):
    r = app_without_x.simulate_get("/auth/x/login", headers=BROWSER)
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>X unavailable</h1>" in r.text
    assert 'href="/auth/x/login"' in r.text


@pytest.mark.parametrize("accept", ["application/json", "*/*", None])
def test_x_unreachable_at_sign_in_is_json_503_for_an_api_client(app_without_x, accept):
    headers = {"Accept": accept} if accept else {}
    r = app_without_x.simulate_get("/auth/x/login", headers=headers)
    assert r.status_code == 503
    assert r.json == {
        "title": "X unavailable",
        "description": "X could not be reached; nothing was changed. Try again in a moment.",
        "status": 503,
    }


def signin_cookie(settings: Settings, request_token: str) -> dict[str, str]:
    """The cookie /auth/x/login gives the browser that starts a sign-in under ``request_token``."""

    class Bind:
        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            SignInBinding(settings, SIGN_IN_WINDOW).bind(resp, request_token)

    app = falcon.App()
    app.add_route("/auth/x/login", Bind())
    result = falcon.testing.TestClient(app).simulate_get("/auth/x/login")
    return {SIGNIN_COOKIE: result.cookies[SIGNIN_COOKIE].value}


def test_an_expired_sign_in_is_a_page_for_a_person_and_json_for_a_client(client, deps):
    """The browser that started the sign-in comes back after its request token is gone."""
    path = "/auth/x/callback?oauth_token=unknown&oauth_verifier=v"
    cookies = signin_cookie(deps.settings, "unknown")
    page = client.simulate_get(path, headers=BROWSER, cookies=cookies)
    assert page.status_code == 400
    assert "<h1>Sign-in expired</h1>" in page.text
    assert 'href="/auth/x/login"' in page.text
    api = client.simulate_get(path, headers={"Accept": "application/json"}, cookies=cookies)
    assert (api.status_code, api.json["title"]) == (400, "Sign-in expired")


def test_a_callback_from_another_browser_is_a_page_for_a_person(client):
    path = "/auth/x/callback?oauth_token=unknown&oauth_verifier=v"
    page = client.simulate_get(path, headers=BROWSER)
    assert page.status_code == 400
    assert "<h1>Sign-in not started here</h1>" in page.text
    api = client.simulate_get(path, headers={"Accept": "application/json"})
    assert (api.status_code, api.json["title"]) == (400, "Sign-in not started here")
