"""Prometheus metrics of the web: requests by route template and status, at ``GET /metrics``.

The route label is Falcon's URI template (``/api/tweets/{tweet_id:int}``), never
the raw path, so the number of series stays small; a request no route matched
counts as ``unmatched``. gunicorn runs several processes: each writes its own
files and a scrape adds them up (``tweetnow.shared.metrics``).

``/metrics`` answers only clients whose address is in ``METRICS_ALLOW``
(networks; loopback by default, ``*`` for anyone) and 404 to everyone else. A
reverse proxy in front of the web must not forward ``/metrics``: behind it
every request comes from the proxy's address.

| metric | type | labels |
| --- | --- | --- |
| ``tweetnow_http_requests_total`` | counter | method, route, status |
| ``tweetnow_http_request_duration_seconds`` | histogram | method, route, status |
"""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path
from typing import Any

import falcon

from tweetnow.shared.metrics import render, use_group_dir

GROUP = "web"
UNMATCHED = "unmatched"
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allow(entries: tuple[str, ...]) -> list[_Network] | None:
    """The allowed networks, or None when anyone may read the metrics."""
    if "*" in entries:
        return None
    return [ipaddress.ip_network(e, strict=False) for e in entries]


class RequestMetrics:
    """Falcon middleware counting and timing every request."""

    def __init__(self) -> None:
        self.path: Path = use_group_dir(GROUP)
        from prometheus_client import Counter, Histogram

        labels = ["method", "route", "status"]
        self.requests = Counter(
            "tweetnow_http_requests", "HTTP requests answered.", labels, registry=None
        )
        self.durations = Histogram(
            "tweetnow_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            labels,
            buckets=DURATION_BUCKETS,
            registry=None,
        )
        #: Each label set's counter and histogram, looked up once (``labels()`` takes a
        #: lock and builds a key on every call).
        self.children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.metrics_started = time.perf_counter()

    def process_response(self, req, resp, resource, req_succeeded: bool) -> None:
        started = req.context.get("metrics_started")
        if started is None:
            return
        route = req.uri_template if resource is not None and req.uri_template else UNMATCHED
        status = str(resp.status_code)
        labels = (req.method, route, status)
        children = self.children.get(labels)
        if children is None:
            children = (self.requests.labels(*labels), self.durations.labels(*labels))
            self.children[labels] = children
        children[0].inc()
        children[1].observe(time.perf_counter() - started)


class MetricsEndpoint:
    """``GET /metrics``: the Prometheus text format of every web process."""

    def __init__(self, metrics: RequestMetrics, allow: tuple[str, ...]) -> None:
        self.metrics = metrics
        self.allow = parse_allow(allow)

    def _allowed(self, remote_addr: str) -> bool:
        if self.allow is None:
            return True
        try:
            address = ipaddress.ip_address(remote_addr)
        except ValueError:
            return False
        return any(address in network for network in self.allow)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        # The socket's peer, never X-Forwarded-For (a client could write anything there).
        if not self._allowed(req.remote_addr):
            raise falcon.HTTPNotFound()
        body, content_type = render(self.metrics.path)
        resp.data = body
        resp.content_type = content_type
        resp.cache_control = ["no-store"]
