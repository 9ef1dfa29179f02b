"""A server that never answers: the kernel accepts connections into its backlog, nobody
reads or writes. What a client's timeout is for."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def silent_server() -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a listening socket that never answers, while open."""
    with socket.create_server(("127.0.0.1", 0)) as listening:
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"
