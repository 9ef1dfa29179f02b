"""What the machine is doing: load average, resident memory of process groups (from /proc)."""

from __future__ import annotations

import os
import time
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
