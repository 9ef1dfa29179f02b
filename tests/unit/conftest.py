"""Unit-test fixtures: a migrated SQLite database and the web app in-process.

Redis is real (a redis-server started for the session); the web app runs
in-process under falcon.testing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import falcon.testing
import pytest
import redis

from tests.support.accounts import make_user
from tests.support.processes import RedisServer
from tweetnow.shared.db import database, open_database
from tweetnow.shared.migrations import migrate
from tweetnow.shared.models import User
from tweetnow.shared.settings import Settings
from tweetnow.web.app import create_app
from tweetnow.web.deps import WebDeps
from tweetnow.web.domain.tokens import TokenService


@pytest.fixture
def settings(tmp_path: Path, redis_server: RedisServer) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unit.sqlite3'}",
            "REDIS_URL": redis_server.url,
            "SECRET_KEY": "unit-test-secret",
            "MAX_BODY_BYTES": "2048",
        }
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[None]:
    migrate(open_database(settings.database_url))
    database.connect(reuse_if_open=True)
    yield
    database.close()


@pytest.fixture
def deps(settings: Settings, db: None, redis_client: redis.Redis) -> WebDeps:
    return WebDeps.from_settings(settings)


@pytest.fixture
def client(deps: WebDeps) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(deps))


@pytest.fixture
def client_with(settings: Settings, deps: WebDeps) -> Callable[..., falcon.testing.TestClient]:
    """A client of another app on the same database and Redis, with settings of its own."""

    def make(**env: str) -> falcon.testing.TestClient:
        changed = Settings.from_env(
            {
                "DATABASE_URL": settings.database_url,
                "REDIS_URL": settings.redis_url,
                "SECRET_KEY": settings.secret_key,
                **env,
            }
        )
        return falcon.testing.TestClient(create_app(WebDeps.from_settings(changed)))

    return make


@pytest.fixture
def alice(deps: WebDeps) -> tuple[User, str]:
    user = make_user(deps.box, "alice")
    return user, TokenService().issue(user, "unit").token


@pytest.fixture
def bob(deps: WebDeps) -> tuple[User, str]:
    user = make_user(deps.box, "bob")
    return user, TokenService().issue(user, "unit").token
