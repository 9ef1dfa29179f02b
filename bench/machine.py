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
