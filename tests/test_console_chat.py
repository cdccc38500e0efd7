"""`coach chat` as a person uses it: a pseudo-terminal, and line by line through a pipe."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pexpect
import pytest
from docx import Document

from benchmarks.support.conversation_script import GOOD_ANSWERS
from tests.conftest import COACH, coach_env


@pytest.fixture(scope="module")
def chat_env(tmp_path_factory, seed_index) -> dict[str, str]:
    home = tmp_path_factory.mktemp("chat")
    env = coach_env(home, LINES="50", TERM="xterm-256color")
    seed_index(home / "data")  # a copy of the run's one index: `coach index` only checks it
    subprocess.run([COACH, "index"], env=env, cwd=home, check=True, capture_output=True)
    env["CHAT_CWD"] = str(home)
    return env


def spawn(env: dict[str, str], user: str) -> pexpect.spawn:
    child = pexpect.spawn(
        COACH,
        ["chat", "--user", user],
        env=env,
        cwd=env["CHAT_CWD"],
        encoding="utf-8",
        timeout=90,
        dimensions=(50, 110),
    )
    child.expect("you ›")
    return child


def say(child: pexpect.spawn, text: str, expect: str = "you ›") -> str:
    child.sendline(text)
    child.expect(expect)
    return child.before


@pytest.mark.slow  # a real `coach chat` process over the real index
def test_interactive_chat_through_a_pty_to_a_draft_and_export(chat_env):
    child = spawn(chat_env, "pat")
    screen = say(child, "/new Stroke prevention in AF")
    assert "Stage 1 of 8" in screen and "Who are the partners" in screen
    screen = say(child, "/frobnicate")
    assert "Unknown command /frobnicate" in screen and "/export" in screen
    say(child, GOOD_ANSWERS["context.partners"])
    screen = say(child, "what is a driver diagram?")
    assert "https://" in screen, "the side answer cites its public source"
    assert "Back to where we were" in screen
    screen = say(child, "/back")
    assert "Stage 1 of 8" in screen
    say(child, "/skip")
    screen = say(child, "/draft")
    assert "Draft" in screen and "Rubric" in screen
    screen = say(child, "/export docx")
    assert "Saved" in screen
    path = Path(screen.split("Saved", 1)[1].split()[0])
    assert path.exists()
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "Stroke prevention in AF" in text
    child.sendline("/quit")
    child.expect(pexpect.EOF)


@pytest.mark.slow
def test_a_killed_chat_resumes_where_it_stopped(chat_env):
    child = spawn(chat_env, "kim")
    say(child, "/new Discharge delays")
    say(child, GOOD_ANSWERS["context.partners"])
    child.kill(9)
    child.close(force=True)
    again = spawn(chat_env, "kim")
    assert "In a sentence or two" in again.before
    again.sendline("/quit")
    again.expect(pexpect.EOF)


@pytest.mark.slow
def test_piped_chat_reads_one_message_per_line(chat_env):
    script = "\n".join(
        [
            "/new Piped draft",
            GOOD_ANSWERS["context.partners"],
            GOOD_ANSWERS["context.topic"],
            "/list",
            "/share sam",
            "/quit",
        ]
    )
    result = subprocess.run(
        [COACH, "chat", "--user", "robin"],
        input=script,
        env=chat_env,
        cwd=chat_env["CHAT_CWD"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Who exactly is affected" in result.stdout
    assert "Piped draft" in result.stdout and "Shared with sam" in result.stdout
    assert "Traceback" not in result.stderr
    listing = subprocess.run(
        [COACH, "drafts", "list", "--user", "sam", "--json"],
        env=chat_env,
        cwd=chat_env["CHAT_CWD"],
        capture_output=True,
        text=True,
    )
    import json

    (shared,) = json.loads(listing.stdout)
    assert shared["title"] == "Piped draft" and shared["shared"] is True


LONG_PARTNERS = (
    "Our trust's audiology department, which runs the hearing clinics across the city. "
    "A medtech company that makes digital hearing aids and their fitting software. "
    "The local authority's adult social care team, who see many of the same older people."
)


def pipe(env: dict[str, str], user: str, *lines: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COACH, "chat", "--user", user],
        input="\n".join([*lines, "/quit"]),
        env=env,
        cwd=env["CHAT_CWD"],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_a_piped_session_prints_words_not_markdown_marks(chat_env):
    result = pipe(chat_env, "ari", "/new Faster hearing aids")
    assert result.returncode == 0, result.stderr
    assert "New draft Faster hearing aids (" in result.stdout
    assert "**" not in result.stdout


@pytest.mark.slow
def test_where_are_we_marks_a_shortened_answer(chat_env):
    result = pipe(chat_env, "eli", "/new Hearing", LONG_PARTNERS, "where are we")
    assert result.returncode == 0, result.stderr
    listed = result.stdout.rsplit("What I have so far", 1)[1]
    partners = next(line for line in listed.splitlines() if "The partners" in line)
    assert "Our trust's audiology department" in partners and partners.endswith("…”")


@pytest.mark.slow
def test_loading_the_model_draws_no_progress_bar_into_the_chat(chat_env):
    child = spawn(chat_env, "lou")
    screen = say(child, "We want to cut waits for hearing aids for older people in Leeds")
    screen += say(child, LONG_PARTNERS)
    assert "Stage" in screen
    assert "Loading weights" not in screen and "it/s]" not in screen
    child.sendline("/quit")
    child.expect(pexpect.EOF)


@pytest.mark.slow
def test_drafts_list_without_user_names_whose_drafts_there_are(chat_env, tmp_path):
    # a database of its own: the module's other tests add owners, and the hint names five
    env = {**chat_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'own.db'}"}
    assert pipe(env, "zed-console", "/new Zed's draft").returncode == 0
    listing = subprocess.run(
        [COACH, "drafts", "list"],
        env=env,
        cwd=env["CHAT_CWD"],
        capture_output=True,
        text=True,
    )
    assert listing.returncode == 0, listing.stderr
    assert "No drafts yet" not in listing.stdout
    assert "zed-console" in listing.stdout and "--user" in listing.stdout


@pytest.mark.slow
def test_drafts_cli_show_and_export(chat_env, tmp_path):
    import json

    script = "/new CLI draft\n" + GOOD_ANSWERS["context.partners"] + "\n/draft\n/quit\n"
    subprocess.run(
        [COACH, "chat", "--user", "lee"],
        input=script,
        env=chat_env,
        cwd=chat_env["CHAT_CWD"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    listed = json.loads(
        subprocess.run(
            [COACH, "drafts", "list", "--user", "lee", "--json"],
            env=chat_env,
            cwd=chat_env["CHAT_CWD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    draft_id = listed[0]["id"]
    shown = json.loads(
        subprocess.run(
            [COACH, "drafts", "show", draft_id, "--user", "lee", "--json"],
            env=chat_env,
            cwd=chat_env["CHAT_CWD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    for key in (
        "id",
        "title",
        "owner",
        "stage",
        "status",
        "problem_statement",
        "how_might_we",
        "value_proposition",
        "rubric",
        "versions",
    ):
        assert key in shown
    assert shown["owner"] == "lee" and len(shown["rubric"]) == 10
    out = tmp_path / "meeting.md"
    exported = subprocess.run(
        [COACH, "drafts", "export", draft_id, "--format", "md", "-o", str(out), "--user", "lee"],
        env=chat_env,
        cwd=chat_env["CHAT_CWD"],
        capture_output=True,
        text=True,
    )
    assert exported.returncode == 0 and "CLI draft" in out.read_text()
    denied = subprocess.run(
        [COACH, "drafts", "show", draft_id, "--user", "mallory"],
        env=chat_env,
        cwd=chat_env["CHAT_CWD"],
        capture_output=True,
        text=True,
    )
    assert denied.returncode == 1 and "No draft" in denied.stderr


def test_reply_lines_stay_lines_in_the_terminal():
    """Markdown would run a reply's bullet lines into one paragraph."""
    from rich.console import Console
    from rich.markdown import Markdown

    from bot.console.chat import keep_lines

    console = Console(width=80, record=True)
    console.print(Markdown(keep_lines("Stronger if:\n• Say where they are.\n• Add a figure.")))
    lines = [line.strip() for line in console.export_text().splitlines() if line.strip()]
    assert lines == ["Stronger if:", "• Say where they are.", "• Add a figure."]


def test_a_draft_reply_is_drawn_whole_from_the_reply_alone():
    """The console shows a draft from the reply it was given: no store is read again."""
    from datetime import datetime

    from rich.console import Console

    from bot.coaching.reply import Reply
    from bot.console.brief import draft_panel
    from bot.drafts.content import CriterionScore, DraftContent, PartyValue, RubricScore

    content = DraftContent(
        title="Stroke prevention in AF\x1b]0;pwned\x07",
        partners=["Our PCN", "A pharmaceutical company"],
        problem_statement="Only 62% of eligible adults are anticoagulated.",
        how_might_we="How might we close the gap?",
        value_proposition=[PartyValue(party="Patients", value="Fewer strokes")],
    )
    rubric = RubricScore(criteria=[CriterionScore(id="gap", name="The gap", score=2, reason="ok")])
    reply = Reply(
        "d1", "draft", content=content, rubric=rubric, version=3, drafted_at=datetime(2026, 1, 5)
    )
    console = Console(width=100, record=True)
    console.print(draft_panel(reply))
    screen = console.export_text()
    assert "Stroke prevention in AF" in screen and "\x1b]0" not in screen and "pwned" not in screen
    assert "Partners: Our PCN, A pharmaceutical company" in screen
    assert "Date: 5 January 2026 · Version 3" in screen
    for shown in ("Problem statement", "How might we close", "Fewer strokes", "Overall: 100%"):
        assert shown in screen
    assert draft_panel(Reply("d1", "question", "Who are the partners?")) is None
