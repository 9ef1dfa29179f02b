"""API tokens in-process: an expiry chosen at creation, the last use kept to the minute, and
the schema step that gives existing databases the expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_operations

from tests.support.web_api import assert_nothing_written, bearer
from tests.support.web_browser import Browser, session_cookies
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.db import database
from tweetnow.shared.migrations import SchemaMigration, migrate
from tweetnow.shared.models import ApiToken
from tweetnow.web.domain.tokens import TokenService


@pytest.fixture
def ada_browser(client, deps, alice) -> Browser:
    return Browser(client, session_cookies(deps, alice[0]))


def create(browser: Browser, **body: object):
    return browser.post("/api/tokens", json=body, headers=browser.csrf)


def test_a_token_made_to_expire_says_when_and_works_until_then(ada_browser, client):
    made = create(ada_browser, label="month", expires_in_days=30)
    assert made.status_code == 201, made.text
    issued = made.json
    row = ApiToken.get_by_id(issued["id"])
    assert row.expires_at - row.created_at == timedelta(days=30)
    assert issued["expires_at"].startswith(row.expires_at.isoformat()[:16])
    listed = ada_browser.get("/api/tokens").json["data"]
    assert {t["label"]: t["expires_at"] for t in listed}["month"] == issued["expires_at"]
    assert client.simulate_get("/api/me", headers=bearer(issued["token"])).status_code == 200


def test_a_token_without_an_expiry_does_not_expire(ada_browser):
    issued = create(ada_browser, label="forever").json
    assert issued["expires_at"] is None
    assert ApiToken.get_by_id(issued["id"]).expires_at is None


def test_an_expired_token_is_refused_with_the_reason_and_no_longer_listed(
    client, alice, ada_browser, redis_client
):
    user, _ = alice
    issued = TokenService().issue(user, "short", expires_in_days=1)
    past = to_db(utcnow() - timedelta(seconds=1))
    ApiToken.update(expires_at=past).where(ApiToken.id == issued.id).execute()
    r = client.simulate_post("/api/tweets", json={"text": "hi"}, headers=bearer(issued.token))
    assert r.status_code == 401
    assert "expired" in r.json["description"]
    assert r.headers["www-authenticate"] == "Bearer"
    assert_nothing_written(redis_client)
    labels = [t["label"] for t in ada_browser.get("/api/tokens").json["data"]]
    assert "short" not in labels and "unit" in labels


@pytest.mark.parametrize(
    ("days", "words"),
    [(0, ">= 1"), (366, "<= 365"), (-3, ">= 1"), ("30", "Expected `int | null`"), (1.5, "int")],
)
def test_an_expiry_out_of_bounds_is_422_and_makes_no_token(ada_browser, alice, days, words):
    before = ApiToken.select().count()
    r = create(ada_browser, label="bad", expires_in_days=days)
    assert r.status_code == 422, r.text
    assert words in r.json["description"] and "expires_in_days" in r.json["description"]
    assert ApiToken.select().count() == before


def test_last_use_is_written_at_most_once_a_minute(client_with, alice):
    # A web that asks the database every time: the row is changed behind its back below.
    client = client_with(API_TOKEN_CACHE_S="0")
    user, token = alice
    (row,) = list(user.api_tokens)
    assert row.last_used_at is None
    client.simulate_get("/api/me", headers=bearer(token))
    first = ApiToken.get_by_id(row.id).last_used_at
    assert first is not None
    client.simulate_get("/api/me", headers=bearer(token))
    assert ApiToken.get_by_id(row.id).last_used_at == first  # within the minute: not written

    earlier = first - timedelta(minutes=2)
    ApiToken.update(last_used_at=earlier).where(ApiToken.id == row.id).execute()
    client.simulate_get("/api/me", headers=bearer(token))
    assert ApiToken.get_by_id(row.id).last_used_at > first


def test_an_existing_database_gets_the_token_expiry_and_keeps_its_tokens(alice):
    """A database from before the step: its tokens keep working, with no expiry."""
    user, token = alice
    migrator = SchemaMigrator.from_database(database)
    with database.atomic():
        run_operations(migrator.drop_column("apitoken", "expires_at"))
        SchemaMigration.delete().where(SchemaMigration.version == 2).execute()
    assert "expires_at" not in {c.name for c in database.get_columns("apitoken")}

    assert migrate(database) == [2]
    assert "expires_at" in {c.name for c in database.get_columns("apitoken")}
    assert TokenService().authenticate(token) == user
    assert migrate(database) == []
