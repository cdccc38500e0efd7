"""Keep less (issue 19, item 3): raw conversation turns are purged after the retention period.

Drafts and their versions stay; only `messages` rows older than COACH_MESSAGE_RETENTION_DAYS go,
on the store's hourly housekeeping schedule. Tested on SQLite and on a real PostgreSQL server.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.coaching.engine import Engine
from bot.doctor import check_retention
from bot.drafts.models import Message, utcnow
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.settings import DEFAULT_MESSAGE_RETENTION_DAYS, Settings
from tests.conftest import ROOT
from tests.store_writes import add_message

ALICE = Actor("T1", "alice")


def _message_count(store: DraftStore, draft_id: str) -> int:
    """The draft's stored turns (a PostgreSQL database is shared with other tests' drafts)."""
    with store.database.connect() as connection:
        counted = select(func.count()).select_from(Message).where(Message.draft_id == draft_id)
        return int(connection.execute(counted).scalar_one())


def exercise_retention(store: DraftStore) -> None:
    """Old turns go on the next write once the hour is due; new turns, drafts and versions stay."""
    draft = store.create_draft(ALICE, "Falls in care homes")
    for text in ("old question", "old reply", "new question"):
        add_message(store, ALICE, draft.id, "user", text)
    with store.database.begin() as connection:
        connection.execute(
            update(Message)
            .where(Message.draft_id == draft.id, Message.text.like("old%"))
            .values(created_at=utcnow() - timedelta(days=31))
        )
    store.db._expired_at.clear()  # as in a fresh process, where opening the store purges
    store.purge_old_messages()
    texts = [m.text for m in store.recent_messages(ALICE, draft.id)]
    assert texts == ["new question"]
    assert store.get_draft(ALICE, draft.id).title == "Falls in care homes"
    assert _message_count(store, draft.id) == 1


def test_old_turns_are_purged_on_sqlite(tmp_path, new_drafts_db) -> None:
    url = new_drafts_db(tmp_path / "coach.db")
    with DraftStore(url, message_retention=timedelta(days=30)) as store:
        exercise_retention(store)


@pytest.mark.slow  # a real PostgreSQL server
def test_old_turns_are_purged_on_postgresql(postgres_database_url: str) -> None:
    with DraftStore(postgres_database_url, message_retention=timedelta(days=30)) as store:
        exercise_retention(store)


def test_the_slack_housekeeping_purges_too(tmp_path, new_drafts_db) -> None:
    url = new_drafts_db(tmp_path / "coach.db")
    with DraftStore(url, message_retention=timedelta(days=30)) as store:
        draft = store.create_draft(ALICE, "Falls")
        add_message(store, ALICE, draft.id, "user", "old turn")
        with store.database.begin() as connection:
            connection.execute(update(Message).values(created_at=utcnow() - timedelta(days=40)))
        store.db._expired_at.clear()
        assert Engine(store).claim_event("Ev1")  # what every Slack event does first
        assert _message_count(store, draft.id) == 0


def test_zero_days_keeps_every_turn(tmp_path, new_drafts_db) -> None:
    with DraftStore(new_drafts_db(tmp_path / "coach.db"), message_retention=None) as store:
        draft = store.create_draft(ALICE, "Falls")
        add_message(store, ALICE, draft.id, "user", "ancient")
        with store.database.begin() as connection:
            connection.execute(update(Message).values(created_at=utcnow() - timedelta(days=999)))
        store.db._expired_at.clear()
        store.purge_old_messages()
        assert _message_count(store, draft.id) == 1


def test_default_is_thirty_days_and_env_example_agrees() -> None:
    assert DEFAULT_MESSAGE_RETENTION_DAYS == 30
    assert Settings.model_fields["coach_message_retention_days"].default == 30
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    match = re.search(r"^COACH_MESSAGE_RETENTION_DAYS=(\d+)$", example, re.MULTILINE)
    assert match is not None and int(match.group(1)) == DEFAULT_MESSAGE_RETENTION_DAYS


def test_doctor_says_how_long_turns_are_kept(make_settings) -> None:
    check = check_retention(make_settings(coach_message_retention_days=14))
    assert check.ok and "conversation turns 14 days" in check.detail
    assert "forever" in check_retention(make_settings(coach_message_retention_days=0)).detail


def test_readme_privacy_section_states_the_retention() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Patient-identifiable data", 1)[1].split("\n## ", 1)[0]
    assert "COACH_MESSAGE_RETENTION_DAYS" in section and "30 days" in section
