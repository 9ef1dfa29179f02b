"""A throwaway PostgreSQL cluster for the benchmarks: initdb in a temporary directory,
a server on a free loopback port, trust authentication, stopped and deleted afterwards.

The binaries come from ``PG_BIN``, else the directory scripts/ensure-postgres.sh
prints (Debian's ``postgresql`` package, installed when missing). initdb refuses to
run as root, so as root the cluster belongs to the ``postgres`` user (or ``nobody``).

``durable=True`` keeps PostgreSQL's defaults, each commit flushed to disk: the accept
rows of `make bench` measure what a tweet costs to keep. ``durable=False`` turns
``fsync``, ``synchronous_commit`` and ``full_page_writes`` off and gives it more shared
buffers, for `make bench-rows`, which seeds a million rows to measure reads.
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
FAST_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "shared_buffers=256MB",
)


def postgres_bin() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    script = ROOT / "scripts" / "ensure-postgres.sh"
    out = subprocess.run([str(script)], check=True, capture_output=True, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


def _owner() -> str | None:
    if os.geteuid() != 0:
        return None
    return next(u for u in ("postgres", "nobody") if _user_exists(u))


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@contextmanager
def throwaway_postgres(*, durable: bool) -> Iterator[str]:
    """A running cluster with a database ``tweetnow``; yields its ``postgresql://`` URL."""
    bin_dir = postgres_bin()
    owner = _owner()

    def run(*argv: str) -> None:
        command = [str(bin_dir / argv[0]), *argv[1:]]
        if owner:
            command = ["runuser", "-u", owner, "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    home = Path(tempfile.mkdtemp(prefix="tweetnow-pg-"))
    data, sockets = home / "data", home / "run"
    sockets.mkdir()
    if owner:
        os.chmod(home, 0o755)
        shutil.chown(home, owner)
        shutil.chown(sockets, owner)
    port = free_port()
    settings = ("listen_addresses=127.0.0.1", *(() if durable else FAST_SETTINGS))
    options = " ".join(f"-c {s}" for s in settings) + f" -p {port} -k {sockets}"
    pg_ctl = ("pg_ctl", "-D", str(data), "-l", str(home / "postgres.log"))
    try:
        run("initdb", "-D", str(data), "-U", "tweetnow", "--auth=trust", "-E", "UTF8")
        run(*pg_ctl, "-o", options, "-w", "start")
        try:
            run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "tweetnow", "tweetnow")
            url = f"postgresql://tweetnow@127.0.0.1:{port}/tweetnow"
            wait_until(lambda: _answers(url), timeout=30, what="PostgreSQL")
            yield url
        finally:
            subprocess.run(
                (["runuser", "-u", owner, "--"] if owner else [])
                + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                check=False,
                capture_output=True,
            )
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _answers(url: str) -> bool:
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=2).close()
    except psycopg2.OperationalError:
        return False
    return True
