"""`make test-scale`: start PostgreSQL and a Chroma server, run scale and fault tests, stop both.

The services live in temporary folders on free loopback ports and are stopped whatever happens
(a failing test, Ctrl-C, SIGTERM from CI). Where the PostgreSQL binaries or the chroma command
are missing, it says so and exits 0: CI machines without them still pass, with the reason shown.
Extra arguments go to pytest (`make test-scale ARGS='-k nginx'`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from types import FrameType

from tests.conftest import ROOT
from tests.scale.services import ChromaServer, PostgresCluster

TESTS = [
    "tests/scale",
    "tests/test_faults_postgres.py",
    "tests/test_faults_process.py",
    "tests/test_faults_chroma.py",
    "tests/test_faults_model.py",
    # The existing store, engine and hostile-text tests' PostgreSQL variants, on this server.
    "tests/test_drafts_store.py::test_core_contract_on_postgresql",
    "tests/test_engine.py::test_conversation_and_simultaneous_turns_on_postgresql",
    "tests/test_hostile_text.py::test_hostile_text_on_postgresql",
]


def _stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(args: list[str]) -> int:
    missing = PostgresCluster.unavailable() or ChromaServer.unavailable()
    if missing:
        print(f"test-scale skipped: {missing} (install the Debian postgresql package)")
        return 0
    signal.signal(signal.SIGTERM, _stop_on_signal)
    started = time.monotonic()
    with ExitStack() as services:
        cluster = services.enter_context(PostgresCluster())
        chroma = services.enter_context(ChromaServer())
        print(f"PostgreSQL on port {cluster.port}, Chroma server on port {chroma.port}", flush=True)
        env = {
            **os.environ,
            "COACH_TEST_SCALE": "1",
            "COACH_TEST_DATABASE_URL": cluster.url,
            "COACH_TEST_CHROMA_URL": chroma.url,
        }
        tests = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS, *args],
            cwd=ROOT,
            env=env,
        )
        try:
            code = tests.wait()
        except KeyboardInterrupt:
            tests.terminate()
            tests.wait(timeout=60)
            code = 130
    print(f"test-scale finished in {time.monotonic() - started:.0f} s (services stopped)")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
