"""What the machine is doing: load average, resident memory of process groups (from /proc)."""

from __future__ import annotations

import os
from pathlib import Path


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


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
