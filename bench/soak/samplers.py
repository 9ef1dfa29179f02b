"""What the soak samples while it runs, every few seconds: how many messages wait in
each Dramatiq queue (Redis, read with redis-cli in the redis container), and the memory
of every container of the stack.

A container's memory is its cgroup's anonymous memory (``memory.stat``: ``total_rss``
under cgroup v1, ``anon`` under v2): what its processes hold, without the page cache
that ``docker stats`` counts in, which grows with every file read and is given back on
demand. It is read from the host's cgroup tree when this machine runs the engine, else
from inside the container.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

from dramatiq.common import dq_name

from bench.soak.verdict import MemorySample, QueueSample
from tests.support.compose_stack import compose
from tweetnow.shared.messages import MAIL_QUEUE, TWEETS_QUEUE, WEBHOOKS_QUEUE
from tweetnow.shared.metrics import REDIS_NAMESPACE
from tweetnow.shared.periodic import PERIODIC_QUEUE

#: Every queue of the stack and its delay queue (retries and scheduled messages wait there).
QUEUE_KEYS = [
    key
    for queue in (TWEETS_QUEUE, MAIL_QUEUE, WEBHOOKS_QUEUE, PERIODIC_QUEUE)
    for key in (queue, dq_name(queue))
]

#: Where cgroup v1 (cgroupfs driver) and v2 keep a container's memory.stat on the host.
HOST_STAT_PATHS = (
    "/sys/fs/cgroup/memory/docker/{id}/memory.stat",
    "/sys/fs/cgroup/system.slice/docker-{id}.scope/memory.stat",
    "/sys/fs/cgroup/docker/{id}/memory.stat",
)
#: The same, read from inside the container (its own cgroup namespace).
INNER_STAT = "cat /sys/fs/cgroup/memory.stat 2>/dev/null || cat /sys/fs/cgroup/memory/memory.stat"


def queue_depths() -> dict[str, int]:
    script = " ; ".join(f"redis-cli LLEN {REDIS_NAMESPACE}:{key}" for key in QUEUE_KEYS)
    out = compose("exec", "-T", "redis", "sh", "-c", script, timeout=30).split()
    return {key: int(n) for key, n in zip(QUEUE_KEYS, out, strict=True)}


def anon_bytes(memory_stat: str) -> int:
    """The anonymous memory in a cgroup's memory.stat (v1 ``total_rss``, v2 ``anon``)."""
    fields = dict(line.split(maxsplit=1) for line in memory_stat.splitlines() if " " in line)
    for name in ("total_rss", "anon"):
        if name in fields:
            return int(fields[name])
    raise ValueError("memory.stat has neither total_rss nor anon")


def container_stat(container_id: str) -> str:
    for pattern in HOST_STAT_PATHS:
        path = Path(pattern.format(id=container_id))
        if path.exists():
            return path.read_text()
    done = subprocess.run(
        ["docker", "exec", container_id, "sh", "-c", INNER_STAT],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


def running_containers() -> dict[str, tuple[str, str]]:
    """Container name -> (full id, compose service) of every running container."""
    ids = compose("ps", "--quiet", "--no-trunc", "--status", "running").split()
    if not ids:
        return {}
    out = subprocess.run(
        [
            "docker",
            "inspect",
            "--format",
            '{{.Name}} {{.Id}} {{index .Config.Labels "com.docker.compose.service"}}',
            *ids,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        name, full_id, service = line.split()
        found[name.lstrip("/")] = (full_id, service)
    return found


class Sampler:
    """Samples queue depths and container memory every ``every_s`` in a thread of its own
    until stopped; a sample that fails (a container restarting) is skipped and counted."""

    def __init__(self, every_s: float) -> None:
        self.every_s = every_s
        self.queues: list[QueueSample] = []
        self.memory: list[MemorySample] = []
        #: container name -> compose service, of every container seen
        self.services: dict[str, str] = {}
        self.missed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-sampler", daemon=True)

    def sample(self) -> None:
        now = time.time()
        try:
            self.queues.append(QueueSample(now, queue_depths()))
        except (AssertionError, ValueError, subprocess.SubprocessError):
            self.missed += 1
        mib = {}
        for name, (full_id, service) in running_containers().items():
            try:
                mib[name] = anon_bytes(container_stat(full_id)) / 2**20
            except (OSError, ValueError, subprocess.SubprocessError):
                self.missed += 1
                continue
            self.services[name] = service
        self.memory.append(MemorySample(now, mib))

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.sample()
            except (AssertionError, subprocess.SubprocessError):
                self.missed += 1
            self._stop.wait(max(0.0, self.every_s - (time.monotonic() - started)))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
