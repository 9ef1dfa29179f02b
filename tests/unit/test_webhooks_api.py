"""The webhooks API in-process (real Redis and SQLite): what is accepted, refused, shown."""

from __future__ import annotations

import ipaddress

import pytest

from tests.support.web_api import bearer
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.models import Webhook
from tweetnow.shared.webhook_addresses import RefusedUrl, check_url, parse_url, why_not_public

HOOK = "http://127.0.0.1:9/hook"


@pytest.fixture
def open_client(client_with):
    """An app that lets webhooks point at this machine, as development and the tests do."""
    return client_with(WEBHOOK_ALLOW_PRIVATE="1")


def create(client, token: str, **body: object):
    return client.simulate_post("/api/webhooks", json=body, headers=bearer(token))


def test_a_webhook_is_created_with_its_secret_shown_once_and_kept_encrypted(
    open_client, alice, deps
):
    _, token = alice
    r = create(open_client, token, url=HOOK, events=["tweet.failed", "tweet.sent", "tweet.sent"])
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/api/webhooks/{r.json['webhook']['id']}"
    secret = r.json["secret"]
    assert secret.startswith("whsec_") and len(secret) > 30
    assert r.json["webhook"]["events"] == ["tweet.sent", "tweet.failed"]
    assert r.json["webhook"]["disabled_at"] is None
    row = Webhook.get_by_id(r.json["webhook"]["id"])
    assert secret not in row.secret
    assert SecretBox(deps.settings.encryption_keys).decrypt(row.secret) == secret
    listed = open_client.simulate_get("/api/webhooks", headers=bearer(token))
    assert listed.json["data"] == [r.json["webhook"]]
    assert secret not in listed.text


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"url": HOOK, "events": ["tweet.posted"]}, "Invalid enum value 'tweet.posted'"),
        ({"url": HOOK, "events": []}, "length >= 1"),
        ({"url": HOOK}, "missing required field `events`"),
        ({"url": "ftp://example.com/", "events": ["mail.sent"]}, "must start with https://"),
        ({"url": "https://u:pw@example.com/", "events": ["mail.sent"]}, "user name or password"),
        ({"url": "https://example.com:99999/", "events": ["mail.sent"]}, "port"),
    ],
)
def test_bad_webhooks_are_422_saying_why_and_write_nothing(open_client, alice, body, words):
    _, token = alice
    r = open_client.simulate_post("/api/webhooks", json=body, headers=bearer(token))
    assert r.status_code == 422, r.text
    assert words in r.json["description"]
    assert Webhook.select().count() == 0


def test_this_machine_is_refused_unless_private_addresses_are_allowed(client, alice):
    _, token = alice
    r = create(client, token, url="http://localhost:8000/hook", events=["tweet.sent"])
    assert r.status_code == 422
    assert "a loopback address" in r.json["description"]
    assert Webhook.select().count() == 0


def test_someone_elses_webhook_is_not_found(open_client, alice, bob):
    hook_id = create(open_client, alice[1], url=HOOK, events=["mail.sent"]).json["webhook"]["id"]
    for method, path in (
        ("DELETE", f"/api/webhooks/{hook_id}"),
        ("GET", f"/api/webhooks/{hook_id}/deliveries"),
    ):
        r = open_client.simulate_request(method, path, headers=bearer(bob[1]))
        assert r.status_code == 404, (method, path)
    assert open_client.simulate_get("/api/webhooks", headers=bearer(bob[1])).json == {"data": []}
    r = open_client.simulate_delete(f"/api/webhooks/{hook_id}", headers=bearer(alice[1]))
    assert r.status_code == 204
    assert Webhook.select().count() == 0


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.8", "private"),
        ("192.168.1.1", "private"),
        ("172.16.5.5", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "special-purpose"),
        ("::ffff:10.0.0.1", "private"),
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
    ],
)
def test_what_counts_as_a_public_address(address, kind):
    assert why_not_public(ipaddress.ip_address(address)) == kind


def test_a_checked_url_keeps_its_host_port_path_and_query():
    assert parse_url("https://Example.com/a/b?x=1") == ("https", "example.com", 443, "/a/b?x=1")
    target = check_url("http://127.0.0.1:8080/hook?k=v", allow_private=True)
    assert (target.host, target.port, target.path, target.address) == (
        "127.0.0.1",
        8080,
        "/hook?k=v",
        "127.0.0.1",
    )
    with pytest.raises(RefusedUrl, match="cannot be resolved"):
        check_url("http://no-such-host.invalid/", allow_private=True)
