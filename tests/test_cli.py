"""The `coach` command as a user runs it: real subprocesses, real index, network guarded."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import COACH, ROOT, coach_env

# Real `coach` processes, most over the real index.
pytestmark = pytest.mark.slow


def run(args: list[str], env: dict[str, str], stdin: str | None = None, timeout: int = 180):
    return subprocess.run(
        [COACH, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=env["COACH_TEST_CWD"],
    )


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory, seed_index) -> dict[str, str]:
    """A data dir checked by `coach index` itself, shared by the read-only CLI tests: it starts
    from a copy of the run's one index (tests/conftest.py), so nothing is embedded twice."""
    home = tmp_path_factory.mktemp("cli")
    env = coach_env(home, COACH_TEST_CWD=str(home))
    seed_index(home / "data")
    result = run(["index"], env, timeout=900)
    assert result.returncode == 0, result.stderr
    assert "Passages:" in result.stdout
    assert "netguard" not in result.stderr
    return env


def test_help_lists_every_command_quickly():
    result = subprocess.run([COACH, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("index", "ask", "doctor", "run"):
        assert command in result.stdout


def test_help_does_not_import_torch():
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom bot.cli import app\n"
        "CliRunner().invoke(app, ['--help'])\nprint('torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_second_index_run_skips_everything(cli_env):
    result = run(["index"], cli_env)
    assert result.returncode == 0
    assert "added 0" in result.stdout and "deleted 0" in result.stdout


PASSAGE_FIELDS = {"title", "source", "path", "heading", "kind", "score", "text", "source_urls"}


def test_ask_json_shape(cli_env):
    result = run(["ask", "--json", "--k", "3", "how do we measure whether it worked?"], cli_env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert set(found) == {"answer", "citations", "passages"}
    assert len(found["passages"]) == 3
    for passage in found["passages"]:
        assert set(passage) == PASSAGE_FIELDS
        assert passage["text"].strip()
        assert (ROOT / "knowledge" / passage["path"]).exists()
        assert all(url.startswith(("https://", "http://")) for url in passage["source_urls"])
    # every [n] in the answer is a citation, and every citation is a real file with its URL
    marks = {int(n) for n in re.findall(r"\[(\d+)\]", found["answer"])}
    assert marks and marks == {c["n"] for c in found["citations"]}
    for cited in found["citations"]:
        assert set(cited) == {"n", "title", "source_url", "path"}
        assert (ROOT / "knowledge" / cited["path"]).exists()
        assert cited["source_url"].startswith("https://") and cited["title"]
    assert len(found["answer"].split()) <= 200


def test_ask_kind_filter(cli_env):
    result = run(["ask", "--json", "--kind", "case", "an example with inhalers"], cli_env)
    assert {p["kind"] for p in json.loads(result.stdout)["passages"]} == {"case"}


def test_ask_text_output_answers_first_then_sources(cli_env):
    result = run(["ask", "--k", "2", "what goes in a written agreement?"], cli_env)
    assert result.returncode == 0
    answer, _, more = result.stdout.partition("More:")
    assert "[1]" in answer, "the short answer comes first, with numbered citations"
    assert "https://" in answer, "citations are shown with their public URL"
    assert "Sources:" in more and "score" in more, "then the passages it drew on"


def test_ask_batch_from_stdin_one_json_object_per_line(cli_env):
    questions = "what is a driver diagram?\n\nwho must sign the agreement?\n"
    result = run(["ask", "--json", "--k", "2", "-"], cli_env, stdin=questions)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [len(found["passages"]) for found in lines] == [2, 0, 2]
    assert [bool(found["answer"]) for found in lines] == [True, False, True]
    assert all(set(found) == {"answer", "citations", "passages"} for found in lines)


def test_bad_kind_and_empty_question_get_clear_messages(cli_env):
    bad_kind = run(["ask", "--kind", "poem", "hello"], cli_env)
    assert bad_kind.returncode == 2 and "--kind must be one of" in bad_kind.stderr
    empty = run(["ask", "   "], cli_env)
    assert empty.returncode == 2 and "empty" in empty.stderr
    assert "Traceback" not in bad_kind.stderr + empty.stderr


def test_bad_setting_is_one_line_not_a_traceback(cli_env):
    env = {**cli_env, "EMBEDDINGS": "word2vec"}
    result = run(["ask", "anything"], env)
    assert result.returncode == 2
    assert "Setting EMBEDDINGS" in result.stderr
    assert "Traceback" not in result.stderr


def test_ask_before_index_tells_the_user_what_to_run(tmp_path, cli_env):
    env = {**cli_env, "COACH_DATA_DIR": str(tmp_path / "empty")}
    result = run(["ask", "anything"], env)
    assert result.returncode == 1
    assert "coach index" in result.stderr and "Traceback" not in result.stderr


def test_doctor_passes_on_embedded_defaults(cli_env):
    result = run(["doctor"], cli_env)
    assert result.returncode == 0, result.stdout
    for component in ("knowledge base", "embedding model", "privacy guard", "vector store"):
        assert component in result.stdout
    assert "database" in result.stdout
    assert "✗" not in result.stdout


def test_doctor_fails_and_masks_secrets_on_bad_slack_token(cli_env):
    env = {**cli_env, "SLACK_BOT_TOKEN": "not-a-token-secretvalue", "SLACK_SIGNING_SECRET": "x"}
    result = run(["doctor"], env)
    assert result.returncode == 1
    assert "✗" in result.stdout and "SLACK_BOT_TOKEN should look like" in result.stdout
    assert "secretvalue" not in result.stdout


def test_doctor_reports_unreachable_llm(cli_env):
    env = {**cli_env, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    result = run(["doctor"], env)
    assert result.returncode == 1
    assert "LLM endpoint" in result.stdout


def test_doctor_without_deep_does_not_import_torch(cli_env):
    code = (
        "import sys\nfrom bot.doctor import run_checks\nfrom bot.settings import load_settings\n"
        "checks = run_checks(load_settings())\n"
        "print(all(c.ok for c in checks), 'torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=cli_env,
        cwd=cli_env["COACH_TEST_CWD"],
    )
    assert result.stdout.split() == ["True", "False"], result.stderr
