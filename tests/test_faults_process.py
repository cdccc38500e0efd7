"""Faults in the process and the file: kill -9 mid-turn, and a SQLite file locked by another.

kill -9: a real coaching process is stopped dead at a hook point (after reading the draft,
inside the turn's transaction with the state already flushed, and while the LLM coach waits on
the model), then SIGKILLed. The draft must be
exactly as before (no answer without its reply, no version without its history), and the same
message sent again must be answered once. On SQLite and, where it can run, PostgreSQL.

Locked: another process holds `BEGIN EXCLUSIVE` on the SQLite file. A turn must end within the
busy timeout with one clear sentence, never hang for minutes, and succeed once the lock goes.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.coaching.engine import Engine
from bot.drafts.db import SQLITE_BUSY_TIMEOUT_S
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.errors import StoreBusy
from tests.conftest import COACH, ROOT, coach_env
from tests.scale.services import PostgresCluster

# Processes killed mid-turn and databases locked under real `coach` processes.
pytestmark = pytest.mark.slow

ACTOR = Actor("TKILL", "ukill")
HOOKS = ("before-save", "mid-transaction", "model-call")


def _snapshot(store: DraftStore, draft_id: str) -> tuple:
    draft = store.get_draft(ACTOR, draft_id)
    history = [(m.role, m.text) for m in store.recent_messages(ACTOR, draft_id, limit=100)]
    versions = [v.number for v in store.versions(ACTOR, draft_id)]
    return draft.lock_version, draft.question_key, dict(draft.answers), history, versions


def _kill_at(url: str, draft_id: str, hook: str, text: str) -> None:
    """Run a coaching process until it reaches `hook`, then SIGKILL it."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.scale.turn_child",
            url,
            ACTOR.workspace_id,
            ACTOR.user_id,
            draft_id,
            hook,
            text,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.strip() == "AT-HOOK", (line, child.stderr.read() if child.stderr else "")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def _kill_mid_turn_leaves_nothing_half_saved(url: str, label: str, capsys) -> None:
    texts = list(GOOD_ANSWERS.values())
    counts = {"killed": 0, "unchanged-after-kill": 0, "answered-on-resend": 0}
    with DraftStore(url) as store:
        engine = Engine(store)
        for number, hook in enumerate(HOOKS):
            draft_id = engine.start(ACTOR, f"Kill {hook}").draft_id
            engine.handle(ACTOR, draft_id, texts[0])
            before = _snapshot(store, draft_id)
            _kill_at(url, draft_id, hook, texts[1 + number])
            counts["killed"] += 1
            assert _snapshot(store, draft_id) == before, f"half-saved at {hook}"
            counts["unchanged-after-kill"] += 1
            # The user sends it again (or Slack redelivers): answered once, saved whole.
            reply = engine.handle(ACTOR, draft_id, texts[1 + number])
            assert reply.kind != "error", reply.text
            after = _snapshot(store, draft_id)
            assert after[0] == before[0] + 1
            assert [role for role, _ in after[3][len(before[3]) :]] == ["user", "coach"]
            counts["answered-on-resend"] += 1
    with capsys.disabled():
        print(f"\n[kill -9 mid-turn, {label}] " + " ".join(f"{k}={v}" for k, v in counts.items()))


def test_kill_mid_turn_on_sqlite(tmp_path, capsys) -> None:
    _kill_mid_turn_leaves_nothing_half_saved(f"sqlite:///{tmp_path / 'coach.db'}", "SQLite", capsys)


def test_kill_mid_turn_on_postgresql(capsys) -> None:
    why = PostgresCluster.unavailable()
    if why:
        pytest.skip(f"PostgreSQL kill test needs a server: {why}")
    with PostgresCluster() as cluster:
        _kill_mid_turn_leaves_nothing_half_saved(cluster.url, "PostgreSQL", capsys)


def _hold_exclusive_lock(path: Path) -> subprocess.Popen[str]:
    """Another process takes the write lock on `path` and keeps it until killed."""
    code = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE')\n"
        "print('LOCKED', flush=True)\n"
        "time.sleep(600)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout and holder.stdout.readline().strip() == "LOCKED"
    return holder


def test_locked_sqlite_gives_a_clear_message_within_the_busy_timeout(tmp_path, capsys) -> None:
    path = tmp_path / "coach.db"
    with DraftStore(f"sqlite:///{path}") as store:
        engine = Engine(store)
        draft_id = engine.start(ACTOR, "Locked").draft_id
        before = _snapshot(store, draft_id)
        holder = _hold_exclusive_lock(path)
        try:
            started = time.monotonic()
            with pytest.raises(StoreBusy) as caught:
                engine.handle(ACTOR, draft_id, GOOD_ANSWERS["context.topic"])
            waited = time.monotonic() - started
        finally:
            holder.kill()
            holder.wait()
        message = str(caught.value)
        assert "locked by another program" in message and "try again in a moment" in message
        assert SQLITE_BUSY_TIMEOUT_S - 1 <= waited < SQLITE_BUSY_TIMEOUT_S + 5
        assert _snapshot(store, draft_id) == before
        assert engine.handle(ACTOR, draft_id, GOOD_ANSWERS["context.topic"]).kind != "error"
    with capsys.disabled():
        print(f"\n[sqlite locked] turn refused after {waited:.1f}s with: {message}")


def test_cli_on_a_locked_database_says_so_and_does_not_hang(tmp_path) -> None:
    """A new database (it needs a write to migrate) locked by another program before the CLI
    opens it: the command ends after the busy timeout with one sentence, not a traceback."""
    path = tmp_path / "coach.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode = WAL")
    path.chmod(0o600)
    env = coach_env(tmp_path, DATABASE_URL=f"sqlite:///{path}")
    holder = _hold_exclusive_lock(path)
    try:
        started = time.monotonic()
        result = subprocess.run(
            [COACH, "drafts", "list"], env=env, capture_output=True, text=True, timeout=120
        )
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    said = result.stdout + result.stderr
    assert result.returncode != 0, said
    assert "locked by another program" in said and "try again in a moment" in said
    assert "Traceback" not in said
    assert waited < SQLITE_BUSY_TIMEOUT_S + 30
    again = subprocess.run(
        [COACH, "drafts", "list"], env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stdout + again.stderr
