"""Real backing services on loopback for the scale and fault tests: PostgreSQL, a Chroma server.

Each runs from a temporary folder on a free loopback port and can be stopped and started again
on the same port and data, which is what the fault tests need (restart PostgreSQL mid-run, take
the Chroma server away and bring it back). `available()` says why a service cannot run here, so
callers skip with that sentence instead of failing on a machine without the binaries.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.postgres_server import _as_server_user, _binary, _free_port

CHROMA = str(Path(sys.executable).parent / "chroma")


def free_port() -> int:
    return _free_port()


def wait_for_port(port: int, seconds: float) -> bool:
    """True once something accepts connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


class PostgresCluster:
    """A throwaway cluster that can be restarted in place (same port, same data)."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _binary("initdb"), _binary("pg_ctl")
        self.prefix = _as_server_user()
        self.folder = Path(tempfile.mkdtemp(prefix="coach-scale-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.running = False

    @staticmethod
    def unavailable() -> str | None:
        """Why no cluster can be started here, or None when one can."""
        if not (_binary("initdb") and _binary("pg_ctl")):
            return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
        if _as_server_user() == ["__no_user__"]:
            return "running as root without a 'postgres' user to run the server as"
        try:
            import psycopg  # noqa: F401
        except ImportError:
            return "the psycopg driver is not installed"
        return None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://coach@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql+psycopg://coach@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> PostgresCluster:
        if self.prefix:
            shutil.chown(self.folder, "postgres")
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "coach", "--no-sync")
        return self.start()

    def start(self) -> PostgresCluster:
        options = f"-p {self.port} -k {self.folder} -h 127.0.0.1 -F"
        log = str(self.folder / "log")
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        self.running = True
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; `immediate` is the nearest thing to pulling the plug."""
        subprocess.run(
            [*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
        self.running = False

    def create_database(self, name: str) -> str:
        """A fresh empty database on this cluster, so tests sharing it cannot see each other."""
        import psycopg

        with psycopg.connect(
            f"postgresql://coach@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def close(self) -> None:
        if self.running:
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        return self.init()

    def __exit__(self, *_exc: object) -> None:
        self.close()


class ChromaServer:
    """`chroma run` on loopback with its data in a temporary folder; stoppable and restartable."""

    def __init__(self, port: int | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="coach-scale-chroma-"))
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def unavailable() -> str | None:
        if not Path(CHROMA).exists():
            return f"the chroma command is not installed beside {sys.executable}"
        return None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, seconds: float = 60) -> ChromaServer:
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            [
                CHROMA,
                "run",
                "--path",
                str(self.folder / "data"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        if not self._heartbeat(seconds):
            self.stop()
            raise RuntimeError(f"chroma run did not answer on port {self.port} in {seconds:.0f} s")
        return self

    def _heartbeat(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1) as reply:
                    if reply.status == 200:
                        return True
            except OSError:
                pass
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        """Kill the server (SIGKILL: an outage, not a polite shutdown) and wait for it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ChromaServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()
