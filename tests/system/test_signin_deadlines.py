"""Sign-in with X on a deadline: when X does not answer, a person gets a page they can act
on, and an API client a JSON 504, within X_TIMEOUT_S + 1 s, and the web's request threads
are free again. X here is the sandbox holding every OAuth token request back 10 s; the web
gives X 1 s."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests

from tests.support.local_stack import LocalStack
from tests.support.processes import Process, console_script, free_port
from tests.support.stack import Stack

X_TIMEOUT_S = 1
#: How long the sandbox holds each OAuth token request back: far past the web's deadline.
X_LATENCY_MS = 10_000
#: One gunicorn worker with two threads: requests beyond two wait for a free thread.
WEB_THREADS = 2
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
API_CLIENT = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def impatient_web(local: LocalStack) -> Iterator[Stack]:
    """A second web on the same database, Redis and sandbox, giving X 1 s."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **local.env,
        "WEB_PORT": str(port),
        "PUBLIC_BASE_URL": url,
        "X_TIMEOUT_S": str(X_TIMEOUT_S),
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": str(WEB_THREADS),
    }
    web = Process(
        "web-x-timeout", [console_script("tweetnow-web")], env, local.workdir / "web-x-timeout.log"
    ).start()
    try:
        web.wait_for_http(f"{url}/healthz")
        yield Stack(web_url=url, sandbox_url=local.env["X_SANDBOX_PUBLIC_URL"])
    finally:
        web.stop()


def timed_get(url: str, headers: dict[str, str]) -> tuple[requests.Response, float]:
    started = time.monotonic()
    r = requests.get(url, headers=headers, allow_redirects=False, timeout=30)
    return r, time.monotonic() - started


def assert_page_a_person_can_act_on(r: requests.Response) -> None:
    assert r.status_code == 504, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "<h1>X did not answer</h1>" in r.text
    assert f"X did not answer within {X_TIMEOUT_S} seconds" in r.text
    assert 'href="/auth/x/login"' in r.text  # the way on: sign in again
    assert "<script>" not in r.text


def test_x_silent_at_sign_in_start_is_a_page_within_the_deadline(impatient_web: Stack):
    impatient_web.set_faults(latency_ms=X_LATENCY_MS)
    r, took = timed_get(f"{impatient_web.web_url}/auth/x/login", BROWSER)
    assert_page_a_person_can_act_on(r)
    assert took < X_TIMEOUT_S + 1


def test_x_silent_at_sign_in_start_is_json_504_for_an_api_client(impatient_web: Stack):
    impatient_web.set_faults(latency_ms=X_LATENCY_MS)
    r, took = timed_get(f"{impatient_web.web_url}/auth/x/login", API_CLIENT)
    assert r.status_code == 504
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["title"] == "X did not answer"
    assert took < X_TIMEOUT_S + 1


def test_x_silent_at_the_callback_is_a_page_then_signing_in_again_works(impatient_web: Stack):
    session = requests.Session()
    login = session.get(f"{impatient_web.web_url}/auth/x/login", allow_redirects=False, timeout=10)
    assert login.status_code == 303
    approved = session.get(
        f"{login.headers['Location']}&username=patientpat", timeout=10, allow_redirects=False
    )
    callback = approved.headers["Location"]
    assert urlsplit(callback).path == "/auth/x/callback"

    impatient_web.set_faults(latency_ms=X_LATENCY_MS)
    started = time.monotonic()
    r = session.get(callback, headers=BROWSER, allow_redirects=False, timeout=30)
    took = time.monotonic() - started
    assert_page_a_person_can_act_on(r)
    assert took < X_TIMEOUT_S + 1
    assert "tweetnow_session" not in session.cookies  # not signed in

    impatient_web.clear_faults()
    person = impatient_web.sign_in("patientpat")
    assert person.session.get(person.url("/api/me"), timeout=10).json()["username"] == "patientpat"


def test_sign_ins_waiting_on_x_free_their_threads(impatient_web: Stack):
    impatient_web.set_faults(latency_ms=X_LATENCY_MS)
    many = 3 * WEB_THREADS  # three rounds through the web's two threads
    started = time.monotonic()
    with ThreadPoolExecutor(many) as pool:
        answers = list(
            pool.map(
                lambda _: timed_get(f"{impatient_web.web_url}/auth/x/login", API_CLIENT),
                range(many),
            )
        )
    took = time.monotonic() - started
    assert [r.status_code for r, _ in answers] == [504] * many
    # Each round is given up after 1 s; threads held for X's 10 s would take 10 s or more.
    assert took < X_LATENCY_MS / 1000 / 2
    impatient_web.clear_faults()
    health = requests.get(f"{impatient_web.web_url}/healthz", timeout=5)
    assert health.status_code == 200
    impatient_web.sign_in()
