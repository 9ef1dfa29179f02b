"""The web's gunicorn workers share out connections: a worker takes a new connection only
while one of its threads is free (tweetnow.web.gunicorn_worker), and connections kept
alive between requests never keep new ones out. Real gunicorn, with the web's own
settings module, serving a small app that says which worker answered."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.processes import Process, free_port, web_gunicorn_argv
from tests.support.which_worker_app import PAUSE_S

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def one_thread_workers(tmp_path: Path) -> Iterator[int]:
    """Four gunicorn workers of one thread each; yields the port."""
    port = free_port()
    argv = web_gunicorn_argv("tests.support.which_worker_app:app")
    env = {
        "WEB_PORT": str(port),
        "WEB_CONCURRENCY": "4",
        "WEB_THREADS": "1",
        "PYTHONPATH": str(ROOT),
    }
    web = Process("gunicorn", argv, env, tmp_path / "gunicorn.log").start()
    try:
        web.wait_for_http(f"http://127.0.0.1:{port}/healthz")
        yield port
    finally:
        web.stop()


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def _ask(sock: socket.socket, path: str = "/which") -> str:
    """One request on a kept-alive connection; the body: the pid of the worker."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    head, body = answer.split(b"\r\n\r\n", 1)
    length = int(
        next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[
            1
        ]
    )
    while len(body) < length:
        body += sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 200"), head
    return body.decode()


def test_connections_opened_together_go_to_workers_with_a_free_thread(
    one_thread_workers: int,
) -> None:
    """Four connections at once on four one-thread workers: each worker takes one, so the
    four slow requests are answered side by side, by four different processes. A worker
    that took every connection it could would serve two or more of them, one after the
    other."""
    connections = [_connect(one_thread_workers) for _ in range(4)]
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            pids = list(pool.map(_ask, connections))
        took = time.monotonic() - started
    finally:
        for c in connections:
            c.close()
    assert len(set(pids)) == 4, f"workers that answered: {pids}"
    assert took < 2 * PAUSE_S, f"the four requests took {took:.2f}s, queued behind each other"


def test_connections_kept_alive_between_requests_do_not_keep_new_ones_out(
    one_thread_workers: int,
) -> None:
    """Eight connections that have each made a request and now wait, kept alive, on four
    one-thread workers: a new connection is still answered at once (no thread is busy)."""
    idle = [_connect(one_thread_workers) for _ in range(8)]
    try:
        for c in idle:
            _ask(c, "/healthz")
        started = time.monotonic()
        with _connect(one_thread_workers) as new:
            _ask(new, "/healthz")
        assert time.monotonic() - started < 1.0
        # The kept-alive ones still work too.
        assert all(_ask(c, "/healthz") for c in idle)
    finally:
        for c in idle:
            c.close()
