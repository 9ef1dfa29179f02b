"""A real HTTP server that receives webhook deliveries, for tests: it keeps every
request and answers each with the next scripted status (200 once the script is done)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.processes import wait_until


@dataclass(frozen=True)
class ReceivedCall:
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float
    answered: int


class WebhookReceiver:
    """``url`` is ``http://127.0.0.1:<port>/hook``; use as a context manager."""

    def __init__(self, answers: list[int] | None = None) -> None:
        self._answers = list(answers or [])
        self._lock = threading.Lock()
        self.calls: list[ReceivedCall] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    status = receiver._answers.pop(0) if receiver._answers else 200
                    receiver.calls.append(
                        ReceivedCall(
                            path=self.path,
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=body,
                            received_at=time.time(),
                            answered=status,
                        )
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def answer_next(self, *statuses: int) -> None:
        with self._lock:
            self._answers.extend(statuses)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(
        self, check: Callable[[list[ReceivedCall]], bool], *, what: str, timeout: float = 20
    ) -> list[ReceivedCall]:
        wait_until(lambda: check(list(self.calls)), timeout=timeout, what=what, every=0.05)
        return list(self.calls)
