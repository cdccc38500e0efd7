"""A message is never lost (issue 19, item 4): Ctrl-C or SIGTERM during a turn of `coach chat`.

Through a pseudo-terminal, as a person uses it. The coach is an LLM behind a fake OpenAI server
whose replies are slow, so the interrupt lands while the turn is in flight. The first interrupt
lets the turn finish and be stored; a second abandons it; either way the farewell says which,
and the database is checked to agree.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from benchmarks.support.openai_server import FakeOpenAI, Scripted
from tests.conftest import COACH, GUARDED_ENV, ROOT, coach_env

pytestmark = pytest.mark.slow  # real `coach chat` processes over the real index

ANSWER = GOOD_ANSWERS["context.partners"]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def chat_env(tmp_path, seed_index, fake) -> dict[str, str]:
    env = coach_env(
        tmp_path,
        LINES="50",
        TERM="xterm-256color",
        OPENAI_BASE_URL=fake.url,
        COACH_MODEL="fake-coach",
        COACH_LLM_TIMEOUT="30",
    )
    # this checkout's `bot`, whichever checkout the `coach` script was installed from
    env["PYTHONPATH"] = f"{GUARDED_ENV['PYTHONPATH']}:{ROOT}"
    seed_index(tmp_path / "data")
    subprocess.run([COACH, "index"], env=env, cwd=tmp_path, check=True, capture_output=True)
    env["CHAT_CWD"] = str(tmp_path)
    return env


def stored_user_messages(env: dict[str, str]) -> list[str]:
    database = Path(env["COACH_DATA_DIR"]) / "coach.db"
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT text FROM messages WHERE role = 'user'").fetchall()
    return [text for (text,) in rows]


def start_slow_turn(env: dict[str, str], fake: FakeOpenAI) -> pexpect.spawn:
    """A chat with a draft open, then an answer whose turn waits on a slow model."""
    fake.set_default(Scripted(content="OK"))
    child = pexpect.spawn(
        COACH,
        ["chat", "--user", "ivy"],
        env=env,
        cwd=env["CHAT_CWD"],
        encoding="utf-8",
        timeout=120,
        dimensions=(50, 110),
    )
    child.expect("you ›")
    child.sendline("/new Interrupted turn")
    child.expect("you ›")
    fake.set_default(Scripted(content="OK", delay=4.0))
    child.sendline(ANSWER)
    time.sleep(1.5)  # the turn is now waiting on the model
    return child


def test_ctrl_c_during_a_turn_lets_it_finish_and_says_it_was_saved(chat_env, fake) -> None:
    child = start_slow_turn(chat_env, fake)
    child.sendintr()
    child.expect("Stopping after this message is saved")
    child.expect("Your last message and its reply are saved")
    child.expect(pexpect.EOF)
    assert ANSWER in stored_user_messages(chat_env)


def test_second_ctrl_c_abandons_the_turn_and_says_it_was_not_saved(chat_env, fake) -> None:
    child = start_slow_turn(chat_env, fake)
    child.sendintr()
    child.expect("Stopping after this message is saved")
    child.sendintr()
    child.expect("NOT saved")
    child.expect(pexpect.EOF)
    assert "Saved. Bye" not in (child.before or "")
    assert ANSWER not in stored_user_messages(chat_env)


def test_sigterm_during_a_turn_stores_it_before_exiting(chat_env, fake) -> None:
    child = start_slow_turn(chat_env, fake)
    child.kill(signal.SIGTERM)
    child.expect("Your last message and its reply are saved")
    child.expect(pexpect.EOF)
    assert ANSWER in stored_user_messages(chat_env)


def test_ctrl_c_at_the_prompt_has_nothing_pending(chat_env, fake) -> None:
    fake.set_default(Scripted(content="OK"))
    child = pexpect.spawn(
        COACH, ["chat", "--user", "ivy"], env=chat_env, cwd=chat_env["CHAT_CWD"],
        encoding="utf-8", timeout=120, dimensions=(50, 110),
    )  # fmt: skip
    child.expect("you ›")
    child.sendintr()
    child.expect("Everything you sent is saved")
    child.expect(pexpect.EOF)
