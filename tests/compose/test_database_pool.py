"""The web's PostgreSQL connections, pooled: a connection in steady use is handed out
without a ping, and one that has been idle is pinged first, so a server that dropped
the web's connections costs at most a 503 per pooled connection while the web is busy
and nothing once it has been idle (``tweetnow.shared.db.PostgresPool``).

The web's own server processes are ended with ``pg_terminate_backend``, as a
PostgreSQL restart or a proxy dropping idle connections would: the workers' are left.
"""

from __future__ import annotations

import time
import uuid

from tests.support.compose_stack import compose
from tests.support.stack import Stack
from tweetnow.shared.db import PING_AFTER_IDLE_S


def psql(sql: str) -> str:
    return compose(
        "exec", "-T", "postgres", "psql", "-U", "tweetnow", "-d", "tweetnow", "-At", "-c", sql,
    )  # fmt: skip


def end_the_webs_connections() -> int:
    address = compose(
        "exec", "-T", "web", "python", "-c",
        "import socket; print(socket.gethostbyname(socket.gethostname()))",
    ).strip()  # fmt: skip
    ended = psql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        f"WHERE datname = 'tweetnow' AND client_addr = inet '{address}'"
    )
    return int(ended.strip())


def test_connections_the_server_dropped_cost_at_most_one_503_each_then_none(stack: Stack):
    person = stack.sign_in(f"pool{uuid.uuid4().hex[:8]}")
    for n in range(8):  # the web's pools now hold connections in steady use
        assert person.post_tweet(f"warm {n}").status_code == 202

    dropped = end_the_webs_connections()
    assert dropped >= 1
    answers = [person.post_tweet(f"busy {n}").status_code for n in range(dropped + 4)]
    # Used a moment ago, so handed out unpinged: a dead one fails its request with 503
    # (nothing written, never a 500) and is dropped; the rest of the requests get 202.
    assert set(answers) <= {202, 503}, answers
    assert answers.count(503) <= dropped, answers
    assert answers[-4:] == [202] * 4, answers

    dropped = end_the_webs_connections()
    assert dropped >= 1
    time.sleep(PING_AFTER_IDLE_S + 0.5)
    # Idle longer than that: each is pinged before use, and the dead ones never serve.
    answers = [person.post_tweet(f"idle {n}").status_code for n in range(6)]
    assert answers == [202] * 6, answers
