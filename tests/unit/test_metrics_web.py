"""GET /metrics: Prometheus text for allowed networks only, routes by template."""

from __future__ import annotations

import falcon.testing

from tweetnow.web.middleware.metrics import parse_allow


def test_metrics_answer_loopback_by_default(client: falcon.testing.TestClient):
    client.simulate_get("/healthz")
    r = client.simulate_get("/metrics", remote_addr="127.0.0.1")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert 'route="/healthz"' in r.text


def test_metrics_are_hidden_from_other_addresses(client: falcon.testing.TestClient):
    r = client.simulate_get("/metrics", remote_addr="203.0.113.9")
    assert r.status_code == 404


def test_unmatched_paths_share_one_label(client: falcon.testing.TestClient):
    client.simulate_get("/no/such/page/12345")
    r = client.simulate_get("/metrics")
    assert 'route="unmatched"' in r.text
    # In no label (a sample's value, e.g. a duration of 0.0012345…, may hold the digits).
    labels = [
        line.split("{", 1)[1].rsplit("}", 1)[0] for line in r.text.splitlines() if "{" in line
    ]
    assert labels and not any("12345" in label or "/no/such" in label for label in labels)


def test_allow_list_parsing():
    assert parse_allow(("*",)) is None
    networks = parse_allow(("10.0.0.0/8", "::1"))
    assert networks is not None and len(networks) == 2
