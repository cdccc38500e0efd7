"""Hostile text: broken bytes, NUL, control characters, terminal escapes and rich markup.

A bad message must never break a draft for good: after one, the draft still composes, exports
to Word, shows as valid UTF-8 JSON and saves on PostgreSQL, and nobody's terminal obeys it.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from docx import Document

from bot.coaching.engine import Engine
from bot.drafts.export import render_docx, render_markdown
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.textsafety import clean_text, decode, is_clean
from tests.conftest import COACH, coach_env
from tests.store_writes import add_version

ALICE = Actor("T1", "alice")
HOSTILE = (
    "Our PCN\x00 and Acme\x1b[2J\x1b]0;pwned\x07 Pharma\u202e\x07\x7f\x9b31m [/bold] [red]"
    "\ud83d done\r\nnext line\tend"
)


# -- the cleaning itself ---------------------------------------------------------------------


def test_clean_text_keeps_words_newlines_and_tabs_and_drops_the_rest():
    cleaned = clean_text(HOSTILE)
    assert cleaned == "Our PCN and Acme Pharma [/bold] [red]\ufffd done\nnext line\tend"
    assert is_clean(cleaned) and not is_clean(HOSTILE)
    assert clean_text(cleaned) == cleaned


def test_decode_replaces_invalid_utf8_instead_of_failing():
    assert decode(b"caf\xc3\xa9 \xff\xfe ok") == "café \ufffd\ufffd ok"


@pytest.mark.parametrize(
    "sequence",
    ["\x1b[31m", "\x1b[?25l", "\x1b]8;;http://x\x1b\\", "\x1bP1$r\x1b\\", "\x1b(B", "\x9b2J"],
)
def test_every_escape_sequence_form_is_removed(sequence):
    assert clean_text(f"a{sequence}b") == "ab"


# -- through the engine ----------------------------------------------------------------------


def drive_hostile_conversation(store: DraftStore) -> str:
    engine = Engine(store)
    draft_id = engine.start(ALICE, "Title\x00 with \x1b[1mNUL\x1b[0m [/bold]").draft_id
    for text in (HOSTILE, "Patients\x00 on warfarin wait\x1b[5m weeks", "draft"):
        reply = engine.handle(ALICE, draft_id, text)
        assert reply.kind != "error", reply.text
    return draft_id


def assert_nothing_stored_is_dirty(store: DraftStore, draft_id: str) -> None:
    draft = store.get_draft(ALICE, draft_id)
    assert draft.title == "Title with NUL [/bold]"
    texts = [m.text for m in store.recent_messages(ALICE, draft_id, limit=100)]
    texts += [draft.title, *draft.answers.values(), *draft.partners]
    for version in store.versions(ALICE, draft_id):
        texts.append(version.content.model_dump_json())
    assert texts and all(is_clean(text) for text in texts)


def test_a_hostile_message_is_cleaned_before_it_is_stored(store):
    draft_id = drive_hostile_conversation(store)
    assert_nothing_stored_is_dirty(store, draft_id)
    draft = store.get_draft(ALICE, draft_id)
    assert draft.answers["context.partners"].startswith("Our PCN and Acme Pharma")


def test_the_draft_still_composes_and_exports_after_a_hostile_message(store, tmp_path):
    draft_id = drive_hostile_conversation(store)
    engine = Engine(store)
    assert engine.compose(ALICE, draft_id).kind == "draft"
    draft, version = store.get_draft(ALICE, draft_id), store.latest_version(ALICE, draft_id)
    (tmp_path / "brief.docx").write_bytes(render_docx(draft, version))
    assert Document(str(tmp_path / "brief.docx")).paragraphs
    assert "\x00" not in render_markdown(draft, version)


def test_a_draft_stored_with_nul_before_this_fix_still_exports(store, tmp_path):
    """Rows written by an older release may hold NUL: Word export must still work."""
    from bot.drafts.content import DraftContent, RubricScore

    draft = store.create_draft(ALICE, "Old\x00 title")
    content = DraftContent(
        title="Old\x00", problem_statement="Wait\x00s are long\x1b[31m.", how_might_we="How?"
    )
    add_version(store, ALICE, draft.id, content, RubricScore(criteria=[]), coach_mode="guided")
    version = store.latest_version(ALICE, draft.id)
    document = Document(__import__("io").BytesIO(render_docx(draft, version)))
    assert any("Waits are long." in p.text for p in document.paragraphs)


@pytest.mark.slow  # PostgreSQL or a real `coach` process
def test_hostile_text_on_postgresql(postgres_database_url):
    with DraftStore(postgres_database_url) as pg:
        draft_id = drive_hostile_conversation(pg)
        assert_nothing_stored_is_dirty(pg, draft_id)
        assert Engine(pg).compose(ALICE, draft_id).kind == "draft"


# -- through the real command ----------------------------------------------------------------


@pytest.mark.slow
def test_piped_chat_survives_invalid_utf8_nul_and_escapes(tmp_path):
    env = coach_env(tmp_path)
    script = (
        b"/new Clinic \xff\xfe waits\n"
        b"Our PCN\x00 and \x1b]0;pwned\x07Acme \x1b[31mPharma\n"
        b"/draft\n/export docx\n/quit\n"
    )
    result = subprocess.run(
        [COACH, "chat", "--user", "alice"],
        input=script,
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
    )
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0 and "Traceback" not in out + result.stderr.decode()
    assert "\x1b" not in out and "pwned" not in out
    assert "Saved " in out and ".docx" in out, out
    listed = subprocess.run(
        [COACH, "drafts", "list", "--user", "alice", "--json"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    [row] = json.loads(listed.stdout.decode("utf-8"))
    assert row["title"] == "Clinic \ufffd\ufffd waits"
    shown = subprocess.run(
        [COACH, "drafts", "show", row["id"], "--user", "alice", "--json"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    document = json.loads(shown.stdout.decode("utf-8"))  # strict UTF-8: raises if invalid
    assert document["partners"] == ["Our PCN", "Acme Pharma"]


@pytest.mark.slow
def test_rich_markup_in_a_title_is_printed_literally_for_owner_and_collaborator(tmp_path):
    env = coach_env(tmp_path, COLUMNS="200")
    title = "Waits [/bold] [red]now[/red] [link=http://x]y"
    subprocess.run(
        [COACH, "chat", "--user", "alice"],
        input=f"/new {title}\n/share bob\n/list\n".encode(),
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
        check=True,
    )
    for user in ("alice", "bob"):
        result = subprocess.run(
            [COACH, "drafts", "list", "--user", user],
            capture_output=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )
        out = result.stdout.decode("utf-8")
        assert result.returncode == 0, result.stderr
        assert "Waits [/bold] [red]now[/red]" in out
