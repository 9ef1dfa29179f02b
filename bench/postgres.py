"""A throwaway PostgreSQL cluster for the accept rows of `make bench`: initdb in a temp
directory, a server on a free loopback port, trust authentication, stopped afterwards.

The binaries come from scripts/ensure-postgres.sh (Debian's ``postgresql`` package).
initdb refuses to run as root, so as root the cluster belongs to the ``postgres``
user (or ``nobody``) and its directory is handed to that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.processes import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent


def _bin_dir() -> Path:
    out = subprocess.run(
        [str(ROOT / "scripts" / "ensure-postgres.sh")], check=True, capture_output=True, text=True
    )
    return Path(out.stdout.strip().splitlines()[-1])


def _as_owner(owner: str | None, argv: list[str]) -> list[str]:
    return ["runuser", "-u", owner, "--", *argv] if owner else argv


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A running cluster; yields its ``postgresql://`` URL (database ``postgres``)."""
    bindir = _bin_dir()
    owner = None
    if os.geteuid() == 0:
        owner = next(u for u in ("postgres", "nobody") if _user_exists(u))
    home = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    data = home / "data"
    data.mkdir()
    if owner:
        entry = pwd.getpwnam(owner)
        os.chmod(home, 0o755)
        os.chown(data, entry.pw_uid, entry.pw_gid)
    port = free_port()
    subprocess.run(
        _as_owner(owner, [str(bindir / "initdb"), "-D", str(data), "-U", "bench", "-A", "trust"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=on"
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log")]
    subprocess.run(_as_owner(owner, [*pg_ctl, "-o", options, "-w", "start"]), check=True)
    url = f"postgresql://bench@127.0.0.1:{port}/postgres"
    try:
        wait_until(lambda: _answers(url), timeout=30, what="PostgreSQL")
        yield url
    finally:
        subprocess.run(_as_owner(owner, [*pg_ctl, "-m", "fast", "-w", "stop"]), check=False)
        shutil.rmtree(home, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _answers(url: str) -> bool:
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=2).close()
    except psycopg2.OperationalError:
        return False
    return True
