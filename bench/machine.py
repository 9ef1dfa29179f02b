"""What the machine is doing: load average, resident memory of process groups (from /proc)."""

from __future__ import annotations

import os
from pathlib import Path


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _pgrp(stat: str) -> int:
    # /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces.
    return int(stat.rsplit(")", 1)[1].split()[2])


def group_rss_mb(pgid: int) -> float:
    """Resident size of every process in a process group (a service and its forks), in MiB."""
    total_kb = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if _pgrp((proc / "stat").read_text()) != pgid:
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return round(total_kb / 1024, 1)
