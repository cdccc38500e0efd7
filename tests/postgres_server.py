"""A throwaway PostgreSQL cluster for tests, when the server binaries are on the machine.

`COACH_TEST_DATABASE_URL` wins if set. Otherwise, where `initdb` and `pg_ctl` exist (the Debian
PostgreSQL packages), a cluster is created in a temporary folder on a free loopback port and
removed afterwards; as root it runs as the `postgres` user, since PostgreSQL refuses root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return ["__no_user__"]
    return ["runuser", "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def postgres_url() -> Iterator[str | None]:
    """Yield a SQLAlchemy URL for an empty database, or None when none can be had."""
    if os.environ.get("COACH_TEST_DATABASE_URL"):
        yield os.environ["COACH_TEST_DATABASE_URL"]
        return
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    prefix = _as_server_user()
    if not (initdb and pg_ctl) or prefix == ["__no_user__"]:
        yield None
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="coach-pg-"))
    data = folder / "data"
    if prefix:
        shutil.chown(folder, "postgres")
    port = _free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "coach", "--no-sync"], **run
    )
    options = f"-p {port} -k {folder} -h 127.0.0.1 -F"
    subprocess.run(
        [*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"],
        **run,
    )
    try:
        yield f"postgresql+psycopg://coach@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)
