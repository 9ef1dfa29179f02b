"""What the machine is doing: load average, resident memory of process groups (from /proc),
and how fast it does the three things every row of ``make bench`` leans on."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cpu_times() -> tuple[int, int]:
    """Busy and total jiffies of every CPU since boot (/proc/stat's first line)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_share(seconds: float) -> float:
    """The share of all CPUs' time spent busy over the next ``seconds``."""
    busy0, total0 = _cpu_times()
    time.sleep(seconds)
    busy1, total1 = _cpu_times()
    return (busy1 - busy0) / max(total1 - total0, 1)


def wait_until_quiet(*, busy_below: float = 0.1, timeout: float = 90.0) -> dict[str, float]:
    """Wait, one second at a time, until the machine's CPUs are less than ``busy_below``
    busy, or ``timeout`` seconds have passed: what ran before (an image build, a
    package install) often leaves work behind, which would slow the first rows. Returns
    the seconds waited and the busy share of the last second."""
    started = time.monotonic()
    share = busy_share(1.0)
    while share >= busy_below and time.monotonic() - started < timeout:
        share = busy_share(1.0)
    return {"waited_s": round(time.monotonic() - started, 1), "busy": round(share, 3)}


def _pgrp(stat: str) -> int:
    # /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces.
    return int(stat.rsplit(")", 1)[1].split()[2])


def process_rss_mb(pgid: int) -> dict[int, float]:
    """Resident size of each process in a process group (a service and its forks), in MiB."""
    found: dict[int, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if _pgrp((proc / "stat").read_text()) != pgid:
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found[int(proc.name)] = round(int(line.split()[1]) / 1024, 1)
        except (OSError, ValueError, IndexError):
            continue
    return found


def group_rss_mb(pgid: int) -> float:
    """Resident size of every process in a process group (a service and its forks), in MiB."""
    return round(sum(process_rss_mb(pgid).values()), 1)


def largest_process_rss_mb(pgid: int, *, leader: bool = True) -> float:
    """The largest one process of the group; ``leader=False`` leaves the group's first
    process out (gunicorn's master, which serves no request)."""
    sizes = process_rss_mb(pgid)
    if not leader:
        sizes.pop(pgid, None)
    return max(sizes.values(), default=0.0)


def _smaps_kib(pid: int) -> dict[str, int]:
    """The fields of /proc/<pid>/smaps_rollup, in KiB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name] = int(rest.split()[0])
    return fields


def worker_memory_mb(pgid: int) -> dict[str, dict[str, float]]:
    """Each gunicorn worker (the group without its master) as RSS, PSS and USS in MiB.

    RSS counts every page the process maps, those it shares with the master and its
    siblings too; PSS splits each shared page among the processes sharing it; USS
    (private clean + dirty) is what the worker alone holds, freed when it exits.
    """
    found: dict[str, dict[str, float]] = {}
    for pid in sorted(process_rss_mb(pgid)):
        if pid == pgid:
            continue
        try:
            kib = _smaps_kib(pid)
        except (OSError, ValueError):
            continue
        uss = kib.get("Private_Clean", 0) + kib.get("Private_Dirty", 0)
        found[str(pid)] = {
            "rss": round(kib.get("Rss", 0) / 1024, 1),
            "pss": round(kib.get("Pss", 0) / 1024, 1),
            "uss": round(uss / 1024, 1),
        }
    return found


def _per_call(run: Callable[[int], None], n: int) -> float:
    """Seconds one of ``run``'s ``n`` repetitions takes, the best of three tries."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        run(n)
        best = min(best, (time.perf_counter() - started) / n)
    return best


def _python_calls(n: int) -> None:
    def nothing() -> None:
        pass

    for _ in range(n):
        nothing()


def _thread_handoffs(n: int) -> None:
    """``n`` round trips of a turn passed to another thread and back (two wake-ups each)."""
    mine, theirs = threading.Lock(), threading.Lock()
    mine.acquire()
    theirs.acquire()

    def other() -> None:
        for _ in range(n):
            theirs.acquire()
            mine.release()

    thread = threading.Thread(target=other)
    thread.start()
    for _ in range(n):
        theirs.release()
        mine.acquire()
    thread.join()


def _loopback_round_trips(n: int) -> None:
    """``n`` one-byte TCP round trips over loopback to an echoing thread."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())

        def echo() -> None:
            conn, _ = server.accept()
            with conn:
                for _ in range(n):
                    conn.sendall(conn.recv(1))

        thread = threading.Thread(target=echo)
        thread.start()
        with client:
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for _ in range(n):
                client.sendall(b"x")
                client.recv(1)
        thread.join()


def speed() -> dict[str, float]:
    """How fast this machine is right now at what the rows are made of: a Python function
    call (ns), a hand-off between two threads and back (µs: every job and request passes
    between threads), and a TCP round trip over loopback to another thread (µs: every
    HTTP request and Redis command). The same code's rows move with these from one run
    to the next, the ratios of the rows less so, but not all alike: a run whose numbers
    differ from an earlier one's shows here whether the machine did."""
    return {
        "python_call_ns": round(_per_call(_python_calls, 200_000) * 1e9, 1),
        "thread_handoff_us": round(_per_call(_thread_handoffs, 5_000) * 1e6, 1),
        "loopback_round_trip_us": round(_per_call(_loopback_round_trips, 5_000) * 1e6, 1),
    }


def describe_speed(found: dict[str, float]) -> str:
    return (
        f"Python call {found['python_call_ns']} ns, thread hand-off and back "
        f"{found['thread_handoff_us']} µs, loopback TCP round trip "
        f"{found['loopback_round_trip_us']} µs"
    )
