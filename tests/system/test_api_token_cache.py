"""API tokens remembered by each web process, against two real gunicorn webs on one
database and one Redis: a token revoked through one is refused by the other at once,
though the other answers that token from its memory.

Each web runs one gunicorn worker, so "the other process" is the other web.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.support.local_stack import LocalStack
from tests.support.stack import Stack, http_session
from tests.support.stack_database import stack_database
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.models import ApiToken

#: Long enough that no remembered token runs out during a test.
CACHE_S = "300"


@pytest.fixture(scope="module")
def two_webs(local: LocalStack) -> Iterator[tuple[Stack, Stack]]:
    webs = [
        local.start_web(name, WEB_CONCURRENCY="1", API_TOKEN_CACHE_S=CACHE_S)
        for name in ("web-revoking", "web-remembering")
    ]
    sandbox = local.env["X_SANDBOX_PUBLIC_URL"]
    yield (
        Stack(web_url=webs[0][1], sandbox_url=sandbox),
        Stack(web_url=webs[1][1], sandbox_url=sandbox),
    )
    for proc, _ in webs:
        proc.stop()


def set_revoked_in_the_database_only(local: LocalStack, token_id: int, revoked: bool) -> None:
    """Change the row behind every web's back: no web hears of it."""
    with stack_database(local):
        ApiToken.update(revoked_at=to_db(utcnow()) if revoked else None).where(
            ApiToken.id == token_id
        ).execute()


def test_a_token_revoked_in_one_web_process_is_refused_by_the_other_at_once(
    local: LocalStack, two_webs: tuple[Stack, Stack]
):
    revoking, remembering = two_webs
    person = revoking.sign_in()
    token = person.create_token("cached")
    (listed,) = person.session.get(person.url("/api/tokens"), timeout=10).json()["data"]
    other = http_session()
    other.headers["Authorization"] = f"Bearer {token}"
    me = f"{remembering.web_url}/api/me"

    # The other web learns the token (its listener subscribes at its first use).
    assert other.get(me, timeout=10).status_code == 200
    time.sleep(1)
    assert other.get(me, timeout=10).status_code == 200
    # It answers from memory now: a revocation nobody announces goes unseen there...
    set_revoked_in_the_database_only(local, listed["id"], revoked=True)
    assert other.get(me, timeout=10).status_code == 200
    set_revoked_in_the_database_only(local, listed["id"], revoked=False)

    # ...and one made through the web reaches it at once.
    r = person.session.delete(
        person.url(f"/api/tokens/{listed['id']}"),
        headers={"X-CSRF-Token": person.csrf},
        timeout=10,
    )
    assert r.status_code == 204
    refused = other.get(me, timeout=10)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["description"]


def test_an_address_changed_in_one_web_process_is_what_the_other_answers(
    two_webs: tuple[Stack, Stack],
):
    changing, remembering = two_webs
    person = changing.sign_in()
    person.create_token("cached")
    other = http_session()
    other.headers["Authorization"] = f"Bearer {person.token}"
    me = f"{remembering.web_url}/api/me"
    assert other.get(me, timeout=10).json()["email"] is None
    time.sleep(1)
    assert other.get(me, timeout=10).json()["email"] is None

    r = person.api().patch(person.url("/api/me"), json={"email": "ada@example.com"}, timeout=10)
    assert r.status_code == 200
    assert other.get(me, timeout=10).json()["email"] == "ada@example.com"
