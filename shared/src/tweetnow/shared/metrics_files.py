"""Where a group of processes keeps its Prometheus metrics (prometheus_client multiprocess mode).

gunicorn and the Dramatiq CLI run several processes under one parent; any of
them may answer a scrape, so each writes its samples to files in one directory
per process group and a scrape adds them up. The directory is
``<PROMETHEUS_MULTIPROC_DIR or the temp dir>/tweetnow-<group>-<parent pid>-<parent start>``:
the web and the workers of one machine never mix, and a restarted group (same
pid in a restarted container) starts from empty files.

``prometheus_client`` decides at import time whether it runs in multiprocess
mode: call :func:`use_group_dir` before metrics are made (it switches an
already imported prometheus_client over to the group's files).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

BASE_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
_GROUP_DIR_MARK = "TWEETNOW_METRICS_GROUP_DIR"


def _start_of(pid: int) -> str:
    """The process's start time (clock ticks after boot) on Linux; empty elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # Field 22; the command name (field 2) may hold spaces, so count after its ')'.
    return stat.rsplit(")", 1)[1].split()[19]


def use_group_dir(group: str) -> Path:
    """This process's metrics directory (created), set as prometheus_client's."""
    current = os.environ.get(BASE_DIR_ENV)
    if current and current == os.environ.get(_GROUP_DIR_MARK):
        base = Path(current).parent  # set by this function in this process or its parent
    else:
        base = Path(current or tempfile.gettempdir())
    parent = os.getppid()
    path = base / f"tweetnow-{group}-{parent}-{_start_of(parent)}".rstrip("-")
    path.mkdir(parents=True, exist_ok=True)
    os.environ[BASE_DIR_ENV] = os.environ[_GROUP_DIR_MARK] = str(path)
    values = sys.modules.get("prometheus_client.values")
    if values is not None:
        # Something imported prometheus_client before the directory was chosen:
        # metrics made from now on must still go to the group's files.
        values.ValueClass = values.get_value_class()
    return path


def mark_dead(path: Path) -> None:
    """Drop this process's live gauges (in-progress counts) as it exits."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(os.getpid(), str(path))


def render(path: Path, *extra_collectors: object) -> tuple[bytes, str]:
    """The text exposition of every process of the group, plus ``extra_collectors``."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(path))
    for collector in extra_collectors:
        registry.register(collector)  # type: ignore[arg-type]
    return generate_latest(registry), CONTENT_TYPE_LATEST
