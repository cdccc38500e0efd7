"""Every failure a user can cause ends in one readable line, never a traceback.

Each case drives the real `coach` command in a subprocess, as a user would, and checks three
things: a non-zero exit, stderr that is a single line naming the problem, and no "Traceback".
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import COACH, ROOT, coach_env

# Real `coach` processes on broken stores and indexes.
pytestmark = pytest.mark.slow


def run(args: list[str], env: dict[str, str], stdin: str | bytes | None = None, timeout=180):
    return subprocess.run(
        [COACH, *args],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        env=env,
        timeout=timeout,
        cwd=env["HOME"],
    )


def one_line_failure(result: subprocess.CompletedProcess, *expected: str) -> str:
    """Assert the command failed with exactly one readable line; return that line."""
    stderr = result.stderr.decode("utf-8")
    assert result.returncode != 0, (result.stdout, stderr)
    assert "Traceback" not in stderr and "Traceback" not in result.stdout.decode("utf-8")
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """A private data dir and a three-document knowledge base, so indexing stays quick."""
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    for source in sorted((ROOT / "knowledge" / "frameworks").glob("*.md"))[:3]:
        shutil.copy(source, knowledge / source.name)
    return coach_env(tmp_path, COLUMNS="400", COACH_KNOWLEDGE_DIR=str(knowledge))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("garbage", "not a database URL"),
        ("mysql://coach:pw@127.0.0.1/coach", "does not support"),
        ("postgresql+psycopg://coach:s3cret@127.0.0.1:1/coach", "Connection refused"),
    ],
)
def test_bad_database_url(env, url, expected):
    env["DATABASE_URL"] = url
    for command in (["drafts", "list"], ["chat"]):
        line = one_line_failure(run(command, env, stdin="/quit\n"), expected)
        assert "s3cret" not in line and ":pw@" not in line


def test_doctor_shows_the_database_failure_and_masks_the_password(env):
    env["DATABASE_URL"] = "postgresql+psycopg://coach:s3cret@127.0.0.1:1/coach"
    result = run(["doctor"], env)
    text = result.stdout.decode("utf-8")
    assert result.returncode == 1 and "Traceback" not in text + result.stderr.decode()
    assert "s3cret" not in text and "coach:***@127.0.0.1" in text
    [database] = [line for line in text.splitlines() if "│ database" in line]
    assert "✗" in database and "Connection refused" in database


def test_data_dir_that_is_a_file(env, tmp_path):
    (tmp_path / "not-a-folder").write_text("x", encoding="utf-8")
    env["COACH_DATA_DIR"] = str(tmp_path / "not-a-folder")
    for command in (["drafts", "list"], ["index"], ["doctor"], ["ask", "a question"]):
        one_line_failure(run(command, env), "COACH_DATA_DIR", "not a folder")


def test_corrupt_drafts_database(env, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "coach.db").write_bytes(b"this is not a database at all" * 200)
    one_line_failure(run(["drafts", "list"], env), "coach.db", "damaged")
    one_line_failure(run(["chat"], env, stdin="hello\n"), "damaged")
    doctor = run(["doctor"], env).stdout.decode("utf-8")
    [database] = [line for line in doctor.splitlines() if "│ database" in line]
    assert "✗" in database and "damaged" in database


def test_read_only_database_reads_but_refuses_writes_in_one_line(env, tmp_path):
    assert run(["index"], env).returncode == 0
    assert run(["chat", "--user", "alice"], env, stdin="/new Ward rounds\n").returncode == 0
    database = tmp_path / "data" / "coach.db"
    env["DATABASE_URL"] = f"sqlite:///file:{database}?mode=ro&uri=true"
    listed = run(["drafts", "list", "--user", "alice"], env)
    assert listed.returncode == 0 and "Ward rounds" in listed.stdout.decode()
    line = one_line_failure(run(["chat", "--user", "alice"], env, stdin="/new Another\n"))
    assert "read-only" in line


def test_corrupt_vector_store_is_one_line_then_repaired_by_index(env, tmp_path):
    assert run(["index"], env).returncode == 0
    chroma = tmp_path / "data" / "chroma"
    for item in chroma.iterdir():
        shutil.rmtree(item) if item.is_dir() else item.unlink()
    (chroma / "chroma.sqlite3").write_bytes(b"garbage" * 1000)
    one_line_failure(run(["ask", "what is the aim?"], env), "coach index")
    doctor = run(["doctor"], env).stdout.decode("utf-8")
    assert any("✗" in line and "vector store" in line for line in doctor.splitlines())
    repaired = run(["index"], env)
    assert repaired.returncode == 0, repaired.stderr
    assert "repaired" in repaired.stdout.decode()
    assert run(["ask", "--json", "what is the aim?"], env).returncode == 0


def test_deleted_vector_store_is_rebuilt_by_a_plain_index(env, tmp_path):
    assert run(["index"], env).returncode == 0
    shutil.rmtree(tmp_path / "data" / "chroma")
    one_line_failure(run(["ask", "what is the aim?"], env), "coach index")
    again = run(["index"], env)
    assert again.returncode == 0 and "lost" in again.stdout.decode()
    asked = run(["ask", "--json", "what is the aim?"], env)
    assert asked.returncode == 0 and asked.stdout.decode().startswith('{"answer": ')


def test_corrupt_index_records_are_replaced(env, tmp_path):
    assert run(["index"], env).returncode == 0
    (tmp_path / "data" / "index-records.db").write_bytes(b"garbage" * 1000)
    result = run(["index"], env)
    assert result.returncode == 0 and "Traceback" not in result.stderr.decode()
    assert "index records could not be read" in result.stdout.decode()
    with sqlite3.connect(tmp_path / "data" / "index-records.db") as records:
        assert records.execute("SELECT count(*) FROM upsertion_record").fetchone()[0] > 0


def test_billion_laughs_file_is_skipped_by_index_and_doctor(env, tmp_path):
    knowledge = Path(env["COACH_KNOWLEDGE_DIR"])
    laughs = "".join(
        f"{a}: &{a} [" + ",".join([f"*{b}"] * 9) + "]\n"
        for a, b in zip("bcdefghij", "abcdefghi", strict=True)
    )
    (knowledge / "laughs.md").write_text(
        '---\ntitle: x\nkind: guide\nsource: x\na: &a ["lol","lol"]\n' + laughs + "---\nBody\n",
        encoding="utf-8",
    )
    indexed = run(["index"], env, timeout=300)
    assert indexed.returncode == 0, indexed.stderr
    assert "skipped laughs.md" in indexed.stdout.decode()
    doctor = run(["doctor"], env).stdout.decode()
    assert "laughs.md" in doctor and "Traceback" not in doctor


def test_empty_share_target_is_a_sentence_not_a_crash(env):
    result = run(["chat", "--user", "alice"], env, stdin="/new Clinics\n/share ''\n/share\n")
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0 and "Traceback" not in out + result.stderr.decode()
    assert out.count("Share with whom?") == 2
