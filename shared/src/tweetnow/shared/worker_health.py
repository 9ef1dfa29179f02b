"""``tweetnow-worker-health``: a worker container's health check, read from Dramatiq's heartbeat.

A worker container is healthy only while its Dramatiq worker processes run
their consumers. Those consumers heartbeat with every call to Redis (every
fetch, at least every quarter of HEARTBEAT_TIMEOUT_MS when idle), into
Dramatiq's ``__heartbeats__`` set under the process's broker id; once a
heartbeat is older than HEARTBEAT_TIMEOUT_MS, Dramatiq itself treats the
process as dead and hands its messages to others. The check applies the same
rule: it finds this host's live worker processes in the worker registry (which
records each one's broker id) and fails when any of them has no fresh
heartbeat, or when none is registered. A process alive but stuck (deadlocked,
frozen, its consumers gone) therefore turns the container unhealthy, which a
live-process check would miss.

A Redis outage also fails the check: the workers cannot work then either.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from typing import cast

import redis

from .db import redis_client
from .settings import get_settings
from .worker_registry import PREFIX, worker_key

#: Dramatiq's heartbeat set: its Redis broker's default namespace, which the
#: project's broker (tweetnow.shared.broker) keeps.
HEARTBEATS_KEY = "dramatiq:__heartbeats__"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def local_workers(client: redis.Redis, hostname: str) -> list[tuple[str, int]]:
    """This host's registered worker processes that are still running: (name, pid)."""
    found = []
    # Without scores, ZRANGE answers the members, as bytes.
    for raw in cast(list[bytes], client.zrange(PREFIX, 0, -1)):
        name = raw.decode()
        host, _, pid = name.rpartition(":")
        if host == hostname and pid.isdigit() and _alive(int(pid)):
            found.append((name, int(pid)))
    return found


def heartbeat_problems(
    client: redis.Redis, hostname: str, timeout_ms: int, now_ms: float
) -> list[str]:
    """Why this host's Dramatiq workers are not healthy; empty when they all heartbeat."""
    workers = local_workers(client, hostname)
    if not workers:
        return [f"no running Dramatiq worker process of {hostname} is registered"]
    problems = []
    for name, _pid in workers:
        broker_id = client.hget(worker_key(name), "broker_id")
        beat = client.zscore(HEARTBEATS_KEY, broker_id) if broker_id else None
        if beat is None:
            problems.append(f"{name}: no Dramatiq heartbeat on record")
        elif now_ms - beat > timeout_ms:
            problems.append(
                f"{name}: last Dramatiq heartbeat {int(now_ms - beat)} ms ago "
                f"(HEARTBEAT_TIMEOUT_MS is {timeout_ms})"
            )
    return problems


def main() -> None:
    settings = get_settings()
    try:
        problems = heartbeat_problems(
            redis_client(settings),
            socket.gethostname(),
            settings.heartbeat_timeout_ms,
            time.time() * 1000,
        )
    except redis.RedisError as exc:
        problems = [f"Redis unreachable: {exc}"]
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.exit(1 if problems else 0)
