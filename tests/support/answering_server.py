"""An X that answers every request with one fixed status, body and ``Location``, and
keeps the ``Authorization`` header of each request it received."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class AnsweringServer:
    url: str
    #: The Authorization header of each request it received, in order.
    received: list[str] = field(default_factory=list)


@contextmanager
def answering_server(
    status: int, body: bytes = b"", location: str = ""
) -> Iterator[AnsweringServer]:
    """A server at ``http://127.0.0.1:<port>`` answering every GET and POST with
    ``status``, ``body`` and, if given, ``location``, while open."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    answering = AnsweringServer(f"http://127.0.0.1:{server.server_address[1]}")

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answering.received.append(self.headers.get("Authorization", ""))
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
        yield answering
    finally:
        server.shutdown()
        server.server_close()
