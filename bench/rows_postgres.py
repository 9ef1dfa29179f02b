"""A throwaway PostgreSQL cluster for `make bench-rows`: initdb in a temporary
directory, started on a free loopback port, deleted with its data when done.

The binaries come from ``PG_BIN``, else the newest ``/usr/lib/postgresql/*/bin``
(Debian's package; `scripts/ensure-postgres.sh` installs it), else ``PATH``. initdb
refuses to run as root, so as root the cluster runs as ``nobody``. Durability is
off (``fsync``, ``synchronous_commit``, ``full_page_writes``): the data is thrown away,
and it speeds up the seeding; reads, which the bench measures, are unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.processes import free_port

SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "shared_buffers=256MB",
    "listen_addresses=127.0.0.1",
)


def postgres_bin() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parent.parent.name
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL is not installed: run scripts/ensure-postgres.sh")
    return Path(initdb).parent


def _as_owner(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *argv] if os.geteuid() == 0 else argv


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a cluster with a database ``tweetnow``; yield its URL; stop and delete it."""
    bin_dir = postgres_bin()
    with tempfile.TemporaryDirectory(prefix="tweetnow-pg-") as tmp:
        root = Path(tmp)
        data, sockets = root / "data", root / "run"
        sockets.mkdir()
        if os.geteuid() == 0:
            os.chmod(root, 0o755)
            shutil.chown(root, "nobody")
            shutil.chown(sockets, "nobody")
        port = free_port()

        def run(*argv: str) -> None:
            subprocess.run(
                _as_owner([str(bin_dir / argv[0]), *argv[1:]]), check=True, capture_output=True
            )

        run("initdb", "-D", str(data), "-U", "tweetnow", "--auth=trust", "-E", "UTF8")
        options = " ".join(f"-c {s}" for s in SETTINGS) + f" -p {port} -k {sockets}"
        run(
            "pg_ctl",
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "postgres.log"),
            "-w",
            "start",
        )
        try:
            run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "tweetnow", "tweetnow")
            yield f"postgresql://tweetnow@127.0.0.1:{port}/tweetnow"
        finally:
            run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
