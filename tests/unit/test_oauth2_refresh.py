"""Refreshing an OAuth 2.0 connection's tokens against a real X sandbox: before they run
out, not twice for one token, and never past a refusal."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
import requests

from tests.support.accounts import make_user
from tests.support.processes import Process, console_script, free_port
from tweetnow.shared.clock import from_db, to_db, utcnow
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.models import ConnectionMethod, XConnection
from tweetnow.shared.settings import Settings
from tweetnow.shared.x_oauth2 import (
    VERIFIER_ALPHABET,
    XOAuth2,
    code_challenge,
    new_code_verifier,
    new_state,
)
from tweetnow.tweeter.oauth2_tokens import ConnectionTokens, RefreshRefused


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"X_SANDBOX_HOST": "127.0.0.1", "X_SANDBOX_PORT": str(port), "X_SANDBOX_THREADS": "4"}
    log_path: Path = tmp_path_factory.mktemp("x-sandbox") / "sandbox.log"
    server = Process("x-sandbox", [console_script("x-sandbox")], env, log_path).start()
    try:
        server.wait_for_http(f"{url}/_sandbox/health")
        yield url
    finally:
        server.stop()


@pytest.fixture
def x_settings(settings: Settings, sandbox_url: str) -> Settings:
    requests.post(f"{sandbox_url}/_sandbox/reset", timeout=5).raise_for_status()
    return dataclasses.replace(
        settings, x_api_base_url=sandbox_url, x_authorize_base_url=sandbox_url
    )


@pytest.fixture
def tokens(x_settings: Settings, db: None, redis_client: redis.Redis) -> ConnectionTokens:
    return ConnectionTokens(x_settings, SecretBox(x_settings.encryption_keys), redis_client)


def _connect(tokens: ConnectionTokens, username: str) -> XConnection:
    """Approve on the sandbox and store the connection, as the web's sign-in does."""
    oauth2 = XOAuth2(tokens.settings)
    verifier = new_code_verifier()
    url = oauth2.authorization_url(new_state(), verifier)
    r = requests.get(url, params={"username": username}, allow_redirects=False, timeout=5)
    assert r.status_code == 302, r.text
    code = parse_qs(urlsplit(r.headers["Location"]).query)["code"][0]
    pair = oauth2.exchange_code(code, verifier, timeout_s=5)
    assert pair.refresh_token and pair.expires_at
    user = make_user(tokens.box, username)
    return XConnection.create(
        user=user,
        x_user_id=user.x_user_id,
        username=username,
        method=ConnectionMethod.OAUTH2.value,
        access_token=tokens.box.encrypt(pair.access_token),
        access_secret=tokens.box.encrypt(pair.refresh_token),
        expires_at=to_db(pair.expires_at),
    )


def _refreshes(tokens: ConnectionTokens, username: str) -> int:
    url = f"{tokens.settings.x_api_base_url}/_sandbox/oauth2/refreshes"
    return int(requests.get(url, timeout=5).json()["data"].get(username, 0))


def test_a_token_with_time_left_is_used_as_it_is(tokens: ConnectionTokens) -> None:
    connection = _connect(tokens, "ruth")
    stored = tokens.box.decrypt(connection.access_token)
    assert tokens.access_token(connection.id) == stored
    assert _refreshes(tokens, "ruth") == 0


def test_a_token_running_out_is_refreshed_and_the_new_pair_saved_first(
    tokens: ConnectionTokens,
) -> None:
    connection = _connect(tokens, "sam")
    soon = utcnow() + timedelta(seconds=tokens.settings.x_refresh_margin_s - 10)
    XConnection.update(expires_at=to_db(soon)).where(XConnection.id == connection.id).execute()
    old_access = tokens.box.decrypt(connection.access_token)
    old_refresh = tokens.box.decrypt(connection.access_secret)

    new_access = tokens.access_token(connection.id)

    assert new_access != old_access
    assert _refreshes(tokens, "sam") == 1
    row = XConnection.get_by_id(connection.id)
    assert tokens.box.decrypt(row.access_token) == new_access
    assert tokens.box.decrypt(row.access_secret) != old_refresh
    expires_at = from_db(row.expires_at)
    assert expires_at is not None and expires_at > utcnow() + timedelta(hours=1)


def test_a_token_another_replica_already_replaced_is_not_refreshed_again(
    tokens: ConnectionTokens,
) -> None:
    connection = _connect(tokens, "tess")
    stale = tokens.box.decrypt(connection.access_token)
    first = tokens.renew(connection.id, stale)
    # A second worker whose request failed with the same (now old) token:
    second = tokens.renew(connection.id, stale)
    assert first == second != stale
    assert _refreshes(tokens, "tess") == 1


def test_a_refused_refresh_leaves_the_row_alone(tokens: ConnectionTokens) -> None:
    connection = _connect(tokens, "uma")
    url = f"{tokens.settings.x_api_base_url}/_sandbox/users/uma/revoke"
    requests.post(url, timeout=5).raise_for_status()
    stored = tokens.box.decrypt(connection.access_token)

    with pytest.raises(RefreshRefused) as refused:
        tokens.renew(connection.id, stored)

    assert refused.value.stored_token == stored
    row = XConnection.get_by_id(connection.id)
    assert row.access_token == connection.access_token
    assert row.access_secret == connection.access_secret


def test_the_pkce_pair_is_rfc_7636s() -> None:
    # RFC 7636, appendix B: this verifier's S256 challenge.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    made = new_code_verifier()
    assert len(made) == 64 and set(made) <= set(VERIFIER_ALPHABET)
