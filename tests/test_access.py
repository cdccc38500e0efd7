"""Access: owner-only files, unsharing (store, console, Slack), authored edits, atomic turns."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import event

from benchmarks.support.fake_slack import FakeSlack
from benchmarks.support.slack_harness import SIGNING_SECRET, SlackAppServer, SlackClientSimulator
from bot.coaching.engine import Engine
from bot.drafts.content import DraftContent, RubricScore
from bot.drafts.records import Actor, NewVersion
from bot.drafts.repository import DraftStore, backoff_delay
from bot.errors import DraftNotFound, NotOwner
from tests.conftest import COACH, coach_env

ALICE = Actor("T1", "alice")
BOB = Actor("T1", "bob")


# -- unsharing -------------------------------------------------------------------------------


def test_unshare_takes_access_away_and_only_the_owner_may(store):
    draft = store.create_draft(ALICE, "Shared brief", conversation_key="k", messages=None)
    store.share(ALICE, draft.id, "bob")
    store.link_conversation("bob-thread", BOB, draft.id)
    assert store.get_draft(BOB, draft.id).id == draft.id
    with pytest.raises(NotOwner):
        store.unshare(BOB, draft.id, "bob")
    assert store.unshare(ALICE, draft.id, "bob") is True
    assert store.unshare(ALICE, draft.id, "bob") is False
    with pytest.raises(DraftNotFound):
        store.get_draft(BOB, draft.id)
    assert store.linked_draft("bob-thread", BOB) is None
    assert store.list_drafts(BOB) == []


@pytest.mark.parametrize("user_id", ["", "   ", "bob\x00", "x" * 65])
def test_share_targets_must_be_user_ids(store, user_id):
    draft = store.create_draft(ALICE, "Brief")
    with pytest.raises(ValueError):
        store.share(ALICE, draft.id, user_id)


# -- authorship ------------------------------------------------------------------------------


def test_shared_edits_record_who_made_them(store):
    engine = Engine(store)
    draft_id = engine.start(ALICE, "Anticoagulation reviews").draft_id
    store.share(ALICE, draft_id, "bob")
    engine.handle(ALICE, draft_id, "Our PCN and Acme Pharma")
    engine.handle(BOB, draft_id, "Faster anticoagulation reviews, because strokes are rising")
    engine.compose(BOB, draft_id)
    history = store.recent_messages(ALICE, draft_id, limit=50)
    users = [(m.role, m.author_id) for m in history if m.role == "user"]
    assert users == [("user", "alice"), ("user", "bob")]
    assert {m.author_id for m in history if m.role == "coach"} == {"alice", "bob"}
    [version] = store.versions(ALICE, draft_id)
    assert version.author_id == "bob"


# -- one transaction per turn ----------------------------------------------------------------


def count_write_transactions(store: DraftStore) -> list[str]:
    begun: list[str] = []

    def on_begin(connection):
        mode = connection.get_execution_options().get("coach_sqlite_begin", "DEFERRED")
        if mode == "IMMEDIATE":
            begun.append(mode)

    event.listen(store.database, "begin", on_begin)
    return begun


def test_a_turn_and_a_start_are_each_one_write_transaction(store):
    engine = Engine(store)
    writes = count_write_transactions(store)
    draft_id = engine.start(ALICE, "Brief", partners=["Our PCN", "Acme"]).draft_id
    assert len(writes) == 1
    writes.clear()
    engine.handle(ALICE, draft_id, "Faster reviews because strokes are rising")
    assert len(writes) == 1
    writes.clear()
    engine.compose(ALICE, draft_id)  # state, version and two messages
    assert len(writes) == 1


def test_a_turn_that_fails_midway_leaves_nothing_behind(store):
    draft = store.create_draft(ALICE, "Brief")
    content = DraftContent(title="Brief", problem_statement="Waits.", how_might_we="How?")
    version = NewVersion(content, RubricScore(criteria=[]), "guided")

    def history(_version):
        raise RuntimeError("killed while writing the history")

    with pytest.raises(RuntimeError):
        store.commit_turn(
            ALICE,
            draft.id,
            expected_lock_version=draft.lock_version,
            question_key="context.topic",
            answers={"context.partners": "Acme"},
            version=version,
            messages=history,
        )
    after = store.get_draft(ALICE, draft.id)
    assert (after.question_key, after.answers, after.lock_version) == (
        draft.question_key,
        {},
        draft.lock_version,
    )
    assert store.versions(ALICE, draft.id) == []
    assert store.recent_messages(ALICE, draft.id) == []


def test_backoff_is_jittered_exponential_and_capped():
    for attempt in range(1, 12):
        ceiling = min(0.5, 0.01 * 2 ** (attempt - 1))
        delays = [backoff_delay(attempt) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 100  # jittered, not a fixed sleep
    assert max(backoff_delay(20) for _ in range(500)) > 0.25  # the ceiling does grow


# -- files are owner-only --------------------------------------------------------------------


@pytest.mark.slow  # real `coach` processes
def test_console_files_are_owner_only(tmp_path):
    env = coach_env(tmp_path)
    result = subprocess.run(
        [COACH, "chat", "--user", "alice"],
        input=b"/new Private brief\nOur PCN and Acme\n/export md\n/export docx\n",
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    data = tmp_path / "data"
    folders = [data, data / "exports"]
    files = [data / "coach.db", *sorted((data / "exports").iterdir())]
    assert len(files) == 3
    assert all(f.stat().st_mode & 0o777 == 0o700 for f in folders)
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files), [
        (f.name, oct(f.stat().st_mode)) for f in files
    ]
    wal = data / "coach.db-wal"
    assert not wal.exists() or wal.stat().st_mode & 0o777 == 0o600


@pytest.mark.slow
def test_console_unshare(tmp_path):
    env = coach_env(tmp_path)

    def chat(user: str, script: str) -> str:
        result = subprocess.run(
            [COACH, "chat", "--user", user],
            input=script.encode(),
            capture_output=True,
            env=env,
            cwd=tmp_path,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.decode()

    assert "Shared with bob" in chat("alice", "/new Team brief\n/share bob\n")
    assert "Team brief" in chat("bob", "/list\n")
    said = chat("alice", "/unshare @bob\n/unshare bob\n/unshare\n")
    assert "bob can no longer see" in said and "was not shared with bob" in said
    assert "Stop sharing with whom?" in said
    assert "Team brief" not in chat("bob", "/list\n")


# -- Slack -----------------------------------------------------------------------------------


@pytest.fixture
def slack_app(store, make_settings):
    with FakeSlack() as fake:
        settings = make_settings(
            slack_bot_token="xoxb-test-token",
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.api_url,
        )
        server = SlackAppServer(settings, Engine(store)).start()
        try:
            yield SlackClientSimulator(server.url), fake
        finally:
            server.stop()


def slack_reply(slack, fake, text: str, user: str, n: int) -> str:
    response_url = f"{fake.url}/response/{n}"
    assert slack.command(text, user=user, response_url=response_url).status == 200
    (reply,) = fake.wait_for(f"/response/{n}")
    return reply.body["text"]


def test_slack_unshare(slack_app, store):
    slack, fake = slack_app
    owner = Actor("T1", "UALICE")
    draft = store.create_draft(owner, "Slack brief")
    assert "Shared" in slack_reply(slack, fake, f"share {draft.id} <@UBOB|bob>", "UALICE", 1)
    assert store.get_draft(Actor("T1", "UBOB"), draft.id)
    refused = slack_reply(slack, fake, f"unshare {draft.id} <@UBOB>", "UBOB", 2)
    assert "owner" in refused
    done = slack_reply(slack, fake, f"unshare {draft.id} <@UBOB|bob>", "UALICE", 3)
    assert "can no longer see" in done
    with pytest.raises(DraftNotFound):
        store.get_draft(Actor("T1", "UBOB"), draft.id)
    assert "Mention the person" in slack_reply(slack, fake, f"unshare {draft.id} bob", "UALICE", 4)
    assert "unshare" in slack_reply(slack, fake, "help", "UALICE", 5)
