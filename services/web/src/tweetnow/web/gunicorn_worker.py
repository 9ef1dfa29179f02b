"""The web's gunicorn worker: gunicorn's threaded worker that takes a new connection only
while one of its threads is free.

gunicorn's ``gthread`` worker accepts connections as long as it holds fewer than
``worker_connections`` (1,000), busy or not, and a kept-alive connection stays with
the worker that accepted it. Every worker waits on the same listening socket, so
when clients open their connections together (a load generator, a proxy filling its
pool) one worker can take most of them and queue their requests behind its own
threads, one core's worth of Python, while another worker has threads idle. Measured
with wrk's eight connections on two workers of four threads: splits of 7 to 1 and
8 to 0, the busy worker at 100 % of a core, the other at 40 % or idle, and the
machine a fifth idle.

This worker stops listening while every thread has a request (a connection being
read or answered), and listens again as soon as one finishes. A connection that
arrives meanwhile waits in the kernel's backlog for a worker with a free thread.
Kept-alive connections that wait for their next request do not count: a client
that holds connections open without using them never keeps new ones out.
"""

from __future__ import annotations

from typing import Any

from gunicorn.workers.gthread import ThreadWorker


class FreeThreadWorker(ThreadWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Connections handed to the thread pool and not finished yet (main thread only).
        self.in_flight = 0

    def has_free_thread(self) -> bool:
        return self.in_flight < self.cfg.threads

    def set_accept_enabled(self, enabled: bool) -> None:
        # gunicorn's loop asks for accepting whenever it holds fewer connections than
        # worker_connections; it is given only while a thread is free as well.
        super().set_accept_enabled(enabled and self.has_free_thread())

    def enqueue_req(self, conn: Any) -> None:
        self.in_flight += 1
        super().enqueue_req(conn)
        if not self.has_free_thread():
            self.set_accept_enabled(False)

    def finish_request(self, conn: Any, fs: Any) -> None:
        self.in_flight -= 1
        super().finish_request(conn, fs)
