"""One webhook call over HTTP(S), to the address the guard checked, following no redirect.

The connection goes to ``WebhookTarget.address`` (resolved and checked just
before), while the request's ``Host`` header and TLS (server name and
certificate check) use the URL's host name: resolving the name again here
could give another address (DNS rebinding). A redirect is an answer like any
other non-2xx: it is not followed, since its target was never checked.
Timeouts hold for the connection and for each read.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from tweetnow.shared.webhook_addresses import WebhookTarget

#: How much of an answer's body is read (and then dropped): only its status matters.
MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "tweetnow-webhooks/1"


@dataclass(frozen=True)
class Answer:
    status: int
    duration_ms: int


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: WebhookTarget, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: WebhookTarget, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._address = target.address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post(
    target: WebhookTarget, body: bytes, headers: dict[str, str], *, timeout_s: float
) -> Answer:
    """POST ``body`` to the target; the answer's status (OSError, HTTPException on failure)."""
    connection: http.client.HTTPConnection = (
        _PinnedHTTPS(target, timeout_s)
        if target.scheme == "https"
        else _PinnedHTTP(target, timeout_s)
    )
    started = time.monotonic()
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={"User-Agent": USER_AGENT, "Content-Type": "application/json", **headers},
        )
        response = connection.getresponse()
        response.read(MAX_ANSWER_BYTES)
        return Answer(status=response.status, duration_ms=int((time.monotonic() - started) * 1000))
    finally:
        connection.close()
