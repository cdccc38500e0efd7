"""Reading a draft or a list of drafts must not read everyone else's drafts.

`benchmarks/growth.py` measured listing one person's drafts at 503 ms once 100k drafts were
stored, because the query read every draft (and grouped every version) in the workspace. Timing
is for benchmarks; what a test can pin down is the cause: SQLite's query plan for each of these
queries, on a store with enough drafts for the planner to choose, must search by an index and
never scan the drafts, versions or shares tables.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Delete, Select, delete, insert, select, text
from sqlalchemy.dialects import sqlite

from bot.drafts.access import listing_for
from bot.drafts.access import visible_to as _visible_to
from bot.drafts.models import Draft, DraftShare, DraftVersion, KnowledgeAnswer, ProcessedEvent
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore

ME = Actor("T1", "UME")
FILLER = 3_000
CUTOFF = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> DraftStore:
    folder = tmp_path_factory.mktemp("plans")
    store = DraftStore(f"sqlite:///{folder / 'coach.db'}")
    now = datetime.now(UTC)
    with store.database.begin() as connection:
        connection.execute(
            insert(Draft),
            [
                {
                    "id": f"f{n:06d}",
                    "workspace_id": "T1",
                    "owner_id": f"U{n % 300}",
                    "title": "Someone else's draft",
                    "lock_version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(FILLER)
            ],
        )
        connection.execute(
            insert(DraftVersion),
            [
                {
                    "draft_id": f"f{n:06d}",
                    "number": 1,
                    "content": {},
                    "rubric": {"criteria": []},
                    "coach_mode": "guided",
                    "created_at": now,
                }
                for n in range(FILLER)
            ],
        )
        connection.execute(
            insert(DraftShare),
            [
                {"draft_id": f"f{n:06d}", "user_id": f"U{n % 7}", "created_at": now}
                for n in range(0, FILLER, 3)
            ],
        )
    store.create_draft(ME, "Mine")
    return store


def plan(store: DraftStore, statement: Select | Delete) -> list[str]:
    sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with store.database.connect() as connection:
        return [row[3] for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql))]


@pytest.mark.parametrize(
    "name, statement",
    [
        ("list my drafts", listing_for(ME)),
        ("open one draft", select(Draft).where(Draft.id == "f000042", _visible_to(ME))),
    ],
)
def test_the_query_searches_by_index_and_scans_no_table(store, name, statement) -> None:
    steps = plan(store, statement)
    scans = [step for step in steps if step.startswith("SCAN")]
    assert not scans, f"{name} scans a table: {steps}"
    # and the workspace is never the only thing narrowing the drafts down
    assert not any(step.endswith("(workspace_id=?)") for step in steps), steps


def test_visibility_is_unchanged_by_the_faster_query(store) -> None:
    shared_to_me = Actor("T1", "U0")  # f000000, f000021, … are shared with U0
    listed = store.list_drafts(shared_to_me)
    owned = {d.id for d in listed if not d.shared}
    shared = {d.id for d in listed if d.shared}
    assert owned == {f"f{n:06d}" for n in range(0, FILLER, 300)}
    assert shared == {f"f{n:06d}" for n in range(0, FILLER, 3) if n % 7 == 0} - owned
    assert store.list_drafts(Actor("T2", "U0")) == []  # the same user id in another workspace
    assert [d.title for d in store.list_drafts(ME)] == ["Mine"]


@pytest.mark.parametrize(
    "name, statement",
    [
        ("expire event ids", delete(ProcessedEvent).where(ProcessedEvent.received_at < CUTOFF)),
        (
            "expire knowledge answers",
            delete(KnowledgeAnswer).where(KnowledgeAnswer.created_at < CUTOFF),
        ),
    ],
)
def test_housekeeping_deletes_by_index_not_by_reading_the_table(store, name, statement) -> None:
    """Both tables grow with every event and answer; the hourly expiry must not read them all."""
    steps = plan(store, statement)
    assert steps and all(step.startswith("SEARCH") and "INDEX" in step for step in steps), (
        f"{name}: {steps}"
    )
