"""One call to X over the standard library: every answer comes back, error statuses
too; only no answer raises, as timed out or unreachable; a redirect is an answer, not
a second request carrying the credentials elsewhere."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.processes import free_port
from tests.support.silent_server import silent_server
from tweetnow.shared.x_http import XTimedOut, XUnreachable, call_x


@dataclass
class FakeX:
    url: str
    #: The Authorization header of each request it received, in order.
    received: list[str] = field(default_factory=list)


@contextmanager
def x_answering(status: int, body: bytes = b"", location: str = "") -> Iterator[FakeX]:
    """An X answering every GET and POST with ``status``, ``body`` and a ``Location``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    fake = FakeX(f"http://127.0.0.1:{server.server_address[1]}")

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.received.append(self.headers.get("Authorization", ""))
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass

    server.RequestHandlerClass = Answer
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def test_an_error_status_is_an_answer_with_its_body():
    with x_answering(403, b'{"error": "invalid_client"}') as x:
        answer = call_x("POST", x.url + "/token", timeout_s=2, body=b"a=1")
    assert answer.status == 403
    assert answer.json_object() == {"error": "invalid_client"}


def test_a_redirect_is_an_answer_and_the_credentials_go_nowhere_else():
    with x_answering(200) as elsewhere:
        with x_answering(302, location=elsewhere.url + "/token") as x:
            answer = call_x(
                "POST", x.url + "/token", timeout_s=2, headers={"Authorization": "Basic c2VjcmV0"}
            )
        assert answer.status == 302
        assert x.received == ["Basic c2VjcmV0"]
        assert elsewhere.received == []


def test_a_silent_x_is_timed_out():
    with silent_server() as url, pytest.raises(XTimedOut):
        call_x("POST", url + "/token", timeout_s=0.3)


def test_an_x_nobody_listens_for_is_unreachable():
    with pytest.raises(XUnreachable):
        call_x("POST", f"http://127.0.0.1:{free_port()}/token", timeout_s=2)
