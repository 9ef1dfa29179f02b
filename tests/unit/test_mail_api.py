"""POST /api/thoughts and GET /api/mail/{id} in-process, and the welcome-mail request."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import falcon.testing
import pytest
import redis

from tests.support.web_api import bearer
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.messages import MAIL_QUEUE
from tweetnow.shared.models import Mail, MailKind
from tweetnow.web.domain.account import request_welcome

QUEUE_KEY = f"dramatiq:{MAIL_QUEUE}"


def queued_payloads(r: redis.Redis) -> list[dict]:
    ids = r.lrange(QUEUE_KEY, 0, -1)
    return [json.loads(r.hget(f"{QUEUE_KEY}.msgs", i)) for i in ids]


def assert_nothing_written(r: redis.Redis) -> None:
    assert Mail.select().count() == 0
    assert r.llen(QUEUE_KEY) == 0


def post_thought(client, token: str, **body: object) -> falcon.testing.Result:
    body = {"email": "friend@example.com", "thought": "Mondays need coffee", **body}
    return client.simulate_post("/api/thoughts", json=body, headers=bearer(token))


def test_accepted_thought_has_its_row_and_its_message(client, alice, redis_client):
    user, token = alice
    r = post_thought(client, token, email="  Friend@Example.COM ", thought="  hello there \n")
    assert r.status_code == 202, r.text
    body = r.json
    mail_id, job_id = body["mail"]["id"], body["job"]["id"]
    assert body["mail"] == {
        "id": mail_id,
        "kind": "thought",
        "recipient": "Friend@example.com",  # the domain is normalized, the local part kept
        "status": "queued",
        "error": None,
        "created_at": body["mail"]["created_at"],
        "sent_at": None,
    }
    assert body["job"] == {"id": job_id, "status": "queued", "url": f"/api/jobs/{job_id}"}
    assert r.headers["Location"] == f"/api/jobs/{job_id}"
    mail = Mail.get_by_id(mail_id)
    assert (mail.user_id, mail.kind, mail.job_id) == (user.id, "thought", job_id)
    assert json.loads(mail.data) == {"thought": "hello there"}
    assert mail.request_id == r.headers["X-Request-ID"]
    (payload,) = queued_payloads(redis_client)
    assert payload["message_id"] == job_id
    assert payload["actor_name"] == "send_mail"
    assert payload["kwargs"] == {"mail_id": mail_id}
    assert payload["options"]["owner_id"] == str(user.id)
    job = client.simulate_get(f"/api/jobs/{job_id}", headers=bearer(token)).json
    assert (job["status"], job["attempts"]) == ("queued", 0)
    mail_view = client.simulate_get(f"/api/mail/{mail_id}", headers=bearer(token))
    assert mail_view.status_code == 200
    assert mail_view.json == body["mail"]


def test_an_internationalized_domain_is_sent_in_its_ascii_form(client, alice):
    r = post_thought(client, alice[1], email="anna@bücher.example")
    assert r.status_code == 202, r.text
    assert r.json["mail"]["recipient"] == "anna@xn--bcher-kva.example"


@pytest.mark.parametrize(
    ("body", "words", "field"),
    [
        ({"email": "not-an-address"}, "must have an @-sign", "email"),
        ({"email": "a@b"}, "not an address we can send to", "email"),
        ({"email": "a b@example.com"}, "not an address we can send to", "email"),
        ({"email": ""}, "not an address we can send to", "email"),
        ({"thought": "   \n "}, "`thought` is empty", "thought"),
        ({"thought": "x" * 1001}, "`thought` is 1,001 characters; the limit is 1,000.", "thought"),
    ],
)
def test_bad_thoughts_are_refused_and_leave_nothing(
    client, alice, redis_client, body, words, field
):
    r = post_thought(client, alice[1], **body)
    assert r.status_code == 422, r.text
    assert words in r.json["description"]
    assert r.json["code"] == field
    assert_nothing_written(redis_client)


@pytest.mark.parametrize(
    ("kwargs", "status", "words"),
    [
        ({"json": {"email": "a@example.com"}}, 422, "missing required field `thought`"),
        ({"json": {"email": "a@example.com", "thought": "t", "x": 1}}, 422, "unknown field `x`"),
        ({"json": {"email": 5, "thought": "t"}}, 422, "Expected `str`"),
        ({"body": "{", "content_type": "application/json"}, 400, "Malformed JSON"),
        ({"body": "email=a", "content_type": "text/plain"}, 415, "Content-Type"),
        ({"json": {"email": "a@example.com", "thought": "x" * 3000}}, 413, "limit is 2048"),
    ],
)
def test_malformed_bodies_are_refused_and_leave_nothing(
    client, alice, redis_client, kwargs, status, words
):
    r = client.simulate_post("/api/thoughts", headers=bearer(alice[1]), **kwargs)
    assert r.status_code == status, r.text
    assert words in r.json["description"]
    assert_nothing_written(redis_client)


def test_a_thousand_characters_are_fine(client, alice):
    assert post_thought(client, alice[1], thought="é" * 1000).status_code == 202


def test_signing_in_is_required(client, redis_client):
    r = client.simulate_post("/api/thoughts", json={"email": "a@example.com", "thought": "hi"})
    assert r.status_code == 401
    assert_nothing_written(redis_client)


@pytest.fixture
def limited_client(
    client_with: Callable[..., falcon.testing.TestClient],
) -> falcon.testing.TestClient:
    return client_with(THOUGHTS_PER_HOUR="3")


def test_too_many_thoughts_an_hour_get_429_with_retry_after(limited_client, alice, bob):
    user, token = alice
    # One thought from 58 minutes ago still counts; one from 61 minutes ago does not.
    for minutes in (61, 58):
        Mail.create(
            user=user,
            kind=MailKind.THOUGHT,
            recipient="old@example.com",
            job_id=f"old-{minutes}",
            created_at=to_db(utcnow() - timedelta(minutes=minutes)),
        )
    for _ in range(2):
        assert post_thought(limited_client, token).status_code == 202
    r = post_thought(limited_client, token)
    assert r.status_code == 429, r.text
    assert r.json["title"] == "Too many thoughts"
    # Its slot frees in two minutes, less the time this test has run so far.
    assert (
        "You can send 3 thoughts an hour. The next one can go in 2 minutes."
        in (r.json["description"])
    )
    assert 60 < int(r.headers["Retry-After"]) <= 120
    assert Mail.select().where(Mail.user == user).count() == 4  # nothing new
    # Other people and other kinds of mail are not limited by it.
    assert post_thought(limited_client, bob[1]).status_code == 202


def test_mail_of_someone_else_is_not_found(client, alice, bob):
    mail_id = post_thought(client, alice[1]).json["mail"]["id"]
    assert client.simulate_get(f"/api/mail/{mail_id}", headers=bearer(bob[1])).status_code == 404
    assert client.simulate_get("/api/mail/999999", headers=bearer(alice[1])).status_code == 404
    assert client.simulate_get(f"/api/mail/{mail_id}").status_code == 401


def test_the_welcome_goes_to_the_first_address_only(deps, alice, redis_client):
    user, _ = alice
    assert request_welcome(deps.broker, user) is None  # no address yet
    user.email = "alice@example.com"
    user.save()
    mail = request_welcome(deps.broker, user, request_id="req-1")
    assert mail is not None
    assert (mail.kind, mail.recipient, mail.dedupe_key) == (
        "welcome",
        "alice@example.com",
        f"welcome:{user.id}",
    )
    user.email = "alice@elsewhere.example"
    user.save()
    assert request_welcome(deps.broker, user) is None
    assert Mail.select().where(Mail.kind == MailKind.WELCOME).count() == 1
    (payload,) = queued_payloads(redis_client)
    assert payload["kwargs"] == {"mail_id": mail.id}
    assert payload["options"]["request_id"] == "req-1"


def test_the_openapi_document_describes_thoughts_and_mail(client):
    doc = client.simulate_get("/openapi.json").json
    post = doc["paths"]["/api/thoughts"]["post"]
    assert set(post["responses"]) >= {"202", "422", "429"}
    assert "Retry-After" in post["responses"]["429"]["headers"]
    assert doc["components"]["schemas"]["ThoughtCreate"]["required"] == ["email", "thought"]
    assert "/api/mail/{mail_id}" in doc["paths"]
