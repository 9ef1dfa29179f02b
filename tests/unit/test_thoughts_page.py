"""``/thoughts`` in-process: who may open it, what the form holds, its scripts, and the
API call the page makes (with the session cookie and its CSRF token)."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from tests.support.accounts import make_user
from tests.support.web_browser import (
    IMMUTABLE,
    Browser,
    assert_no_inline_script_or_style,
    assert_security_headers,
    session_cookies,
)
from tweetnow.shared.models import Mail, MailKind, MailStatus, User
from tweetnow.web.deps import WebDeps
from tweetnow.web.domain.mail import MAX_THOUGHT_CHARS


@pytest.fixture
def grace(deps: WebDeps) -> User:
    return make_user(deps.box, "grace")


@pytest.fixture
def signed_in(client, deps, grace) -> Browser:
    return Browser(client, session_cookies(deps, grace))


def test_signed_out_people_go_to_the_landing_page(client, db):
    r = client.simulate_get("/thoughts")
    assert r.status_code == 303
    assert r.headers["location"] == "/"


def test_an_api_token_does_not_open_the_page(client, alice):
    _, token = alice
    r = client.simulate_get("/thoughts", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 303


def test_the_form_labels_its_fields_and_counts_to_the_limit(signed_in):
    r = signed_in.get("/thoughts")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert_security_headers(r.headers)
    html = r.text
    assert "<h1>Send a thought</h1>" in html
    assert 'aria-current="page">Send a thought</a>' in html
    assert '<label for="thought-email">Email address</label>' in html
    assert '<label for="thought-text">Your thought</label>' in html
    assert f'data-max="{MAX_THOUGHT_CHARS}"' in html
    assert f"0 / {MAX_THOUGHT_CHARS}" in html
    assert '<button type="submit">Send</button>' in html
    # The API's refusals are read out where they appear.
    assert re.search(r'id="thought-message"[^>]*role="alert"[^>]*aria-live="assertive"', html)
    assert 'id="thought-email" name="email" type="email" value=""' in html
    assert_no_inline_script_or_style(html)
    for name in ("api", "job_progress", "thoughts"):
        assert re.search(rf'src="/static/{name}\.[0-9a-f]{{12}}\.js" defer', html), name


def test_the_address_is_the_accounts_when_it_has_one(signed_in, grace):
    grace.email = 'grace+"x"@example.com'
    grace.save()
    html = signed_in.get("/thoughts").text
    assert 'value="grace+&#34;x&#34;@example.com"' in html  # escaped in the attribute


def test_every_page_links_to_it(signed_in):
    for page in ("/", "/tweets", "/account", "/thoughts"):
        assert '<a href="/thoughts"' in signed_in.get(page).text, page


def test_its_static_files_are_served_for_a_year(signed_in):
    html = signed_in.get("/thoughts").text
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any("/static/thoughts." in u for u in urls)
    for url in urls:
        r = signed_in.client.simulate_get(url)
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == IMMUTABLE, url


def test_the_script_has_words_for_every_mail_status():
    script = files("tweetnow.web").joinpath("static", "thoughts.js").read_text()
    words = re.search(r"const WORDS = \{(?P<body>[^}]*)\}", script)
    assert words is not None
    keys = set(re.findall(r"^\s*(\w+):", words.group("body"), re.M))
    assert {status.value for status in MailStatus} <= keys


def test_the_page_sends_with_its_session_and_csrf_token(signed_in, grace):
    body = {"email": "friend@example.com", "thought": "  tea is a hug  "}
    refused = signed_in.post("/api/thoughts", json=body)
    assert refused.status_code == 403  # no X-CSRF-Token: not from the page
    assert not Mail.select().exists()

    r = signed_in.post("/api/thoughts", json=body, headers=signed_in.csrf)
    assert r.status_code == 202
    mail, job = r.json["mail"], r.json["job"]
    assert mail["recipient"] == "friend@example.com" and mail["status"] == "queued"
    assert job["url"] == f"/api/jobs/{job['id']}"
    row = Mail.get_by_id(mail["id"])
    assert (row.user_id, row.kind) == (grace.id, MailKind.THOUGHT)
    # What the page polls and then reads.
    assert signed_in.get(job["url"]).json["status"] == "queued"
    assert signed_in.get(f"/api/mail/{mail['id']}").json["id"] == mail["id"]


def test_a_bad_address_is_refused_in_words(signed_in):
    r = signed_in.post(
        "/api/thoughts",
        json={"email": "not-an-address", "thought": "hello"},
        headers=signed_in.csrf,
    )
    assert r.status_code == 422
    assert r.json["description"].startswith("`email` is not an address we can send to")
    assert not Mail.select().exists()
