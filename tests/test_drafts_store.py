"""DraftStore against real SQLite files (and PostgreSQL when COACH_TEST_DATABASE_URL is set).

Real files rather than :memory: because the behaviours that matter — WAL, busy timeouts, two
processes on one file, surviving a restart — only exist on disk.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from bot.coaching.stages import first_key
from bot.drafts import models
from bot.drafts.content import CriterionScore, DraftContent, RubricScore
from bot.drafts.events import EventStore
from bot.drafts.models import DRAFT_ID_ALPHABET, Base, DraftShare, Feedback, utcnow
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.errors import ConcurrentUpdate, DraftNotFound, NotOwner
from bot.privacy.guard import redact_identifiers
from tests.store_writes import add_message, add_version, save_state

ALICE = Actor("T1", "alice")
BOB = Actor("T1", "bob")
CAROL = Actor("T1", "carol")
ALICE_ELSEWHERE = Actor("T2", "alice")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    # A nested, not-yet-existing directory proves the store creates it.
    return tmp_path / "data" / "coach.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[DraftStore]:
    with DraftStore(sqlite_url(db_path)) as opened:
        yield opened


def content(problem: str = "Older people wait too long for hearing aids.") -> DraftContent:
    return DraftContent(
        title="Faster hearing aids",
        partners=["Acme Audiology"],
        problem_statement=problem,
        how_might_we="How might we halve the wait for hearing aids?",
    )


def rubric(*scores: int) -> RubricScore:
    return RubricScore(
        criteria=[
            CriterionScore(id=f"c{i}", name=f"Criterion {i}", score=s, reason="because")
            for i, s in enumerate(scores or (2, 1))
        ]
    )


def run_in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Start `count` threads together (barrier) and return each result or raised exception."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def runner(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:  # the test inspects which calls failed and how
            results[index] = exc

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


# -- basics ----------------------------------------------------------------------------------


def test_create_get_and_list(store: DraftStore, db_path: Path) -> None:
    draft = store.create_draft(
        ALICE, "Hearing aids", partners=["Acme"], partner_type="industry", area_of_care="ENT"
    )

    assert db_path.exists()
    assert len(draft.id) == 6 and set(draft.id) <= set(DRAFT_ID_ALPHABET)
    assert (draft.owner_id, draft.workspace_id, draft.status) == ("alice", "T1", "active")
    # A new draft starts on the coach's first question (the store cannot import the coach).
    assert draft.question_key == first_key()
    assert draft.partners == ["Acme"] and draft.answers == {} and draft.lock_version == 1
    assert draft.created_at.utcoffset() == timedelta(0)
    assert store.get_draft(ALICE, draft.id) == draft

    older = store.create_draft(ALICE, "Older")
    save_state(store, ALICE, draft.id, expected_lock_version=1, question_key="problem")
    summaries = store.list_drafts(ALICE)
    assert [s.id for s in summaries] == [draft.id, older.id]
    assert summaries[0].latest_score is None and summaries[0].shared is False
    assert summaries[0].question_key == "problem"


def test_draft_ids_are_unique(store: DraftStore) -> None:
    ids = {store.create_draft(ALICE, f"Draft {i}").id for i in range(50)}
    assert len(ids) == 50


def test_ping_and_migrate_are_repeatable(store: DraftStore) -> None:
    store.ping()
    store.migrate()
    store.migrate()
    store.ping()


def test_in_memory_sqlite_works_across_threads() -> None:
    with DraftStore("sqlite://") as memory:
        draft = memory.create_draft(ALICE, "In memory")
        [result] = run_in_threads(1, lambda _: memory.get_draft(ALICE, draft.id))
        assert result == draft


# -- access control --------------------------------------------------------------------------


def test_stranger_cannot_see_or_touch_a_draft(store: DraftStore) -> None:
    draft = store.create_draft(ALICE, "Private")
    version = add_version(store, ALICE, draft.id, content(), rubric(), coach_mode="guided")
    calls: list[Callable[[], Any]] = [
        lambda: store.get_draft(BOB, draft.id),
        lambda: store.versions(BOB, draft.id),
        lambda: store.latest_version(BOB, draft.id),
        lambda: save_state(store, BOB, draft.id, expected_lock_version=1, question_key="x"),
        lambda: add_version(store, BOB, draft.id, content(), rubric(), coach_mode="llm"),
        lambda: store.share(BOB, draft.id, "bob"),
        lambda: add_message(store, BOB, draft.id, "user", "hi"),
        lambda: store.recent_messages(BOB, draft.id),
        lambda: store.link_conversation("console:local:bob", BOB, draft.id),
        lambda: store.record_feedback(BOB, version.id, 1),
    ]
    for call in calls:
        with pytest.raises(DraftNotFound):
            call()
    # Same error for a draft that does not exist: existence is never revealed.
    with pytest.raises(DraftNotFound):
        store.get_draft(BOB, "zzzzzz")
    assert store.list_drafts(BOB) == []


def test_shared_user_sees_draft_and_can_advance_it(store: DraftStore) -> None:
    draft = store.create_draft(ALICE, "Shared")
    add_version(store, ALICE, draft.id, content(), rubric(2, 2), coach_mode="guided")
    store.share(ALICE, draft.id, "bob")
    store.share(ALICE, draft.id, "bob")  # idempotent
    store.share(ALICE, draft.id, "alice")  # the owner already has access: no-op

    with store.database.connect() as connection:
        shares = connection.execute(select(DraftShare.user_id)).scalars().all()
    assert shares == ["bob"]
    [summary] = store.list_drafts(BOB)
    assert (summary.id, summary.shared, summary.owner_id, summary.latest_score) == (
        draft.id,
        True,
        "alice",
        100,
    )
    assert [v.number for v in store.versions(BOB, draft.id)] == [1]
    assert store.latest_version(BOB, draft.id).content == content()  # type: ignore[union-attr]

    saved = save_state(
        store,
        BOB,
        draft.id,
        expected_lock_version=1,
        question_key="value",
        answers={"who": "patients"},
    )
    assert saved.question_key == "value" and saved.answers == {"who": "patients"}
    finished = save_state(store, BOB, draft.id, expected_lock_version=2, status="final")
    assert finished.status == "final"


def test_only_the_owner_can_share_or_archive(store: DraftStore) -> None:
    draft = store.create_draft(ALICE, "Owned")
    store.share(ALICE, draft.id, "bob")

    with pytest.raises(NotOwner):
        store.share(BOB, draft.id, "carol")
    with pytest.raises(NotOwner):
        save_state(store, BOB, draft.id, expected_lock_version=1, status="archived")
    assert store.list_drafts(CAROL) == []

    changed = save_state(store, ALICE, draft.id, expected_lock_version=1, status="archived")
    assert changed.status == "archived"
    assert store.get_draft(BOB, draft.id).status == "archived"


def test_other_workspace_is_isolated_even_with_the_same_user_id(store: DraftStore) -> None:
    draft = store.create_draft(ALICE, "Workspace one")
    store.share(ALICE, draft.id, "bob")
    store.link_conversation("slack:T1:C1:1.0", ALICE, draft.id)

    with pytest.raises(DraftNotFound):
        store.get_draft(ALICE_ELSEWHERE, draft.id)
    with pytest.raises(DraftNotFound):
        store.get_draft(Actor("T2", "bob"), draft.id)
    assert store.list_drafts(ALICE_ELSEWHERE) == []
    assert store.linked_draft("slack:T1:C1:1.0", ALICE_ELSEWHERE) is None


def test_invalid_values_are_rejected(store: DraftStore) -> None:
    draft = store.create_draft(ALICE, "Validation")
    with pytest.raises(ValueError):
        save_state(store, ALICE, draft.id, expected_lock_version=1, status="deleted")
    with pytest.raises(ValueError):
        add_version(store, ALICE, draft.id, content(), rubric(), coach_mode="magic")
    with pytest.raises(ValueError):
        add_message(store, ALICE, draft.id, "system", "hi")
    with pytest.raises(ValueError):
        store.share(ALICE, draft.id, "")


# -- versions --------------------------------------------------------------------------------


def test_versions_are_numbered_and_immutable(store: DraftStore) -> None:
    draft = store.create_draft(ALICE, "Versions")
    assert store.latest_version(ALICE, draft.id) is None

    first = add_version(
        store,
        ALICE,
        draft.id,
        content("First wording."),
        rubric(1, 1),
        coach_mode="llm",
        model="gpt-x",
        prompt_versions={"draft": "draft@2"},
        prompt_tokens=120,
        completion_tokens=80,
    )
    second = add_version(
        store, ALICE, draft.id, content("Second wording."), rubric(2, 2), coach_mode="guided"
    )

    assert (first.number, second.number) == (1, 2)
    assert first.score == 50 and second.score == 100
    history = store.versions(ALICE, draft.id)
    assert history == [first, second]
    assert history[0].content.problem_statement == "First wording."
    assert (history[0].model, history[0].prompt_versions) == ("gpt-x", {"draft": "draft@2"})
    assert (history[0].prompt_tokens, history[0].completion_tokens) == (120, 80)
    assert store.latest_version(ALICE, draft.id) == second
    assert store.list_drafts(ALICE)[0].latest_score == 100
    # A version is not a state change: the engine's lock version stays valid.
    assert store.get_draft(ALICE, draft.id).lock_version == 1
    update_methods = [name for name in dir(DraftStore) if "version" in name and "update" in name]
    assert update_methods == []


def test_version_numbers_stay_unique_under_concurrency(store: DraftStore) -> None:
    draft = store.create_draft(ALICE, "Busy")
    results = run_in_threads(
        8,
        lambda i: add_version(store, ALICE, draft.id, content(f"v{i}"), rubric(), coach_mode="llm"),
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(r.number for r in results) == list(range(1, 9))
    assert [v.number for v in store.versions(ALICE, draft.id)] == list(range(1, 9))


# -- optimistic locking ----------------------------------------------------------------------


def test_racing_turns_lose_nothing(store: DraftStore) -> None:
    draft = store.create_draft(ALICE, "Race")
    store.share(ALICE, draft.id, "bob")
    actors = [ALICE, BOB]

    results = run_in_threads(
        2,
        lambda i: save_state(
            store,
            actors[i],
            draft.id,
            expected_lock_version=draft.lock_version,
            answers={"who": f"answer from {actors[i].user_id}"},
        ),
    )

    failures = [r for r in results if isinstance(r, ConcurrentUpdate)]
    [winner] = [r for r in results if not isinstance(r, Exception)]
    assert len(failures) == 1
    stored = store.get_draft(ALICE, draft.id)
    assert stored.answers == winner.answers
    assert stored.lock_version == winner.lock_version == 2

    # The loser re-reads and replays: its answer lands on top of the winner's.
    replayed = save_state(
        store,
        ALICE,
        draft.id,
        expected_lock_version=stored.lock_version,
        answers={**stored.answers, "gap": "retry"},
    )
    assert replayed.answers == {"who": winner.answers["who"], "gap": "retry"}


def test_stale_lock_version_is_refused(store: DraftStore) -> None:
    draft = store.create_draft(ALICE, "Stale")
    save_state(store, ALICE, draft.id, expected_lock_version=1, question_key="problem")
    with pytest.raises(ConcurrentUpdate):
        save_state(store, ALICE, draft.id, expected_lock_version=1, question_key="value")
    assert store.get_draft(ALICE, draft.id).question_key == "problem"


# -- multiple processes and restarts ---------------------------------------------------------


def test_two_store_instances_share_one_file(db_path: Path) -> None:
    with DraftStore(sqlite_url(db_path)) as first, DraftStore(sqlite_url(db_path)) as second:
        draft = first.create_draft(ALICE, "Two processes")
        add_message(second, ALICE, draft.id, "user", "Hello from process two")
        add_version(first, ALICE, draft.id, content(), rubric(), coach_mode="guided")
        saved = save_state(second, ALICE, draft.id, expected_lock_version=1, question_key="gap")

        assert first.get_draft(ALICE, draft.id) == saved
        assert [m.text for m in first.recent_messages(ALICE, draft.id)] == [
            "Hello from process two"
        ]
        assert second.latest_version(ALICE, draft.id).number == 1  # type: ignore[union-attr]
        with pytest.raises(ConcurrentUpdate):
            save_state(first, ALICE, draft.id, expected_lock_version=1, question_key="late")


def test_reopened_store_has_everything(db_path: Path) -> None:
    store = DraftStore(sqlite_url(db_path))
    draft = store.create_draft(ALICE, "Durable", partners=["Acme"])
    save_state(store, ALICE, draft.id, expected_lock_version=1, answers={"who": "carers"})
    version = add_version(store, ALICE, draft.id, content(), rubric(), coach_mode="llm")
    store.share(ALICE, draft.id, "bob")
    add_message(store, ALICE, draft.id, "coach", "Who is affected?")
    store.link_conversation("console:local:alice", ALICE, draft.id)
    store.record_feedback(BOB, version.id, 1)
    EventStore(store.db).claim_event("Ev1")
    store.close()

    with DraftStore(sqlite_url(db_path)) as reopened:
        restored = reopened.get_draft(ALICE, draft.id)
        assert restored.answers == {"who": "carers"} and restored.partners == ["Acme"]
        assert reopened.versions(BOB, draft.id) == [version]
        assert [d.shared for d in reopened.list_drafts(BOB)] == [True]
        assert [m.text for m in reopened.recent_messages(ALICE, draft.id)] == ["Who is affected?"]
        assert reopened.linked_draft("console:local:alice", ALICE) == restored
        assert EventStore(reopened.db).claim_event("Ev1") is False


# -- conversation ----------------------------------------------------------------------------


def test_recent_messages_are_the_last_n_oldest_first(store: DraftStore) -> None:
    draft = store.create_draft(ALICE, "Chatty")
    for i in range(25):
        add_message(store, ALICE, draft.id, "user" if i % 2 == 0 else "coach", f"m{i}")

    recent = store.recent_messages(ALICE, draft.id)
    assert [m.text for m in recent] == [f"m{i}" for i in range(5, 25)]
    assert [m.text for m in store.recent_messages(ALICE, draft.id, limit=3)] == [
        "m22",
        "m23",
        "m24",
    ]
    assert recent[0].role == "coach" and recent[1].role == "user"
    assert store.recent_messages(ALICE, draft.id, limit=0) == []


def test_conversation_links_follow_access(store: DraftStore) -> None:
    first = store.create_draft(ALICE, "First")
    second = store.create_draft(ALICE, "Second")
    key = "slack:T1:C9:1712.0001"

    assert store.linked_draft(key, ALICE) is None
    store.link_conversation(key, ALICE, first.id)
    assert store.linked_draft(key, ALICE).id == first.id  # type: ignore[union-attr]
    store.link_conversation(key, ALICE, second.id)  # re-linking moves the conversation
    assert store.linked_draft(key, ALICE).id == second.id  # type: ignore[union-attr]

    # Bob replies in the same thread: he sees the draft only once it is shared with him.
    assert store.linked_draft(key, BOB) is None
    store.share(ALICE, second.id, "bob")
    assert store.linked_draft(key, BOB).id == second.id  # type: ignore[union-attr]


# -- feedback and events ---------------------------------------------------------------------


def test_feedback_revote_replaces(store: DraftStore) -> None:
    draft = store.create_draft(ALICE, "Feedback")
    version = add_version(store, ALICE, draft.id, content(), rubric(), coach_mode="guided")
    store.record_feedback(ALICE, version.id, 1)
    store.record_feedback(ALICE, version.id, -1)

    with store.database.connect() as connection:
        votes = connection.execute(select(Feedback.user_id, Feedback.value)).all()
    assert [tuple(v) for v in votes] == [("alice", -1)]
    with pytest.raises(ValueError):
        store.record_feedback(ALICE, version.id, 0)
    with pytest.raises(DraftNotFound):
        store.record_feedback(ALICE, 999_999, 1)


def test_claim_event_is_idempotent_across_instances(db_path: Path) -> None:
    with DraftStore(sqlite_url(db_path)) as one, DraftStore(sqlite_url(db_path)) as two:
        first, second = EventStore(one.db), EventStore(two.db)
        assert first.claim_event("Ev-A") is True
        assert first.claim_event("Ev-A") is False
        assert second.claim_event("Ev-A") is False

        stores = [first, second] * 4
        claims = run_in_threads(8, lambda i: stores[i].claim_event("Ev-B"))
        assert sorted(claims) == [False] * 7 + [True]

        assert first.forget_events(utcnow() + timedelta(seconds=1)) == 2
        assert second.claim_event("Ev-A") is True


# -- schema ----------------------------------------------------------------------------------


def test_migrations_match_models(store: DraftStore) -> None:
    with store.database.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == head_revision()


def head_revision() -> str | None:
    """The newest migration, so this test keeps passing as revisions are added after 0002."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.drafts.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_revision_0001_database_upgrades_and_keeps_its_rows(db_path: Path) -> None:
    """A database created by an older release gains the author columns without losing rows."""
    from alembic import command
    from alembic.config import Config

    from bot.drafts.db import MIGRATIONS_DIR, create_store_engine, writer

    engine = create_store_engine(sqlite_url(db_path))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO drafts (id, workspace_id, owner_id, title, partners, partner_type, "
            "area_of_care, status, stage, answers, created_at, updated_at, lock_version) VALUES "
            "('old123', 'T1', 'alice', 'Old', '[]', '', '', 'active', 'context', '{}', "
            "'2025-01-01 00:00:00', '2025-01-01 00:00:00', 1)"
        )
        connection.exec_driver_sql(
            "INSERT INTO messages (draft_id, role, text, created_at) "
            "VALUES ('old123', 'user', 'before authors', '2025-01-01 00:00:00')"
        )
    engine.dispose()
    with DraftStore(sqlite_url(db_path)) as upgraded:
        [message] = upgraded.recent_messages(ALICE, "old123")
        assert (message.text, message.author_id) == ("before authors", None)
        add_message(upgraded, ALICE, "old123", "user", "after")
        assert upgraded.recent_messages(ALICE, "old123")[-1].author_id == "alice"


def test_sqlite_pragmas(store: DraftStore) -> None:
    with store.database.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == 10_000


# -- the same core behaviour on every backend ------------------------------------------------


def exercise_core(store: DraftStore) -> None:
    """The store's contract in one pass; unique workspace ids keep reruns on a shared DB clean."""
    workspace = f"W{uuid.uuid4().hex[:10]}"
    owner, friend, stranger = (Actor(workspace, u) for u in ("owner", "friend", "stranger"))

    draft = store.create_draft(owner, "Core", partners=["Acme"])
    assert store.get_draft(owner, draft.id) == draft
    with pytest.raises(DraftNotFound):
        store.get_draft(stranger, draft.id)
    with pytest.raises(DraftNotFound):
        store.get_draft(Actor(workspace + "x", "owner"), draft.id)

    store.share(owner, draft.id, "friend")
    with pytest.raises(NotOwner):
        store.share(friend, draft.id, "stranger")
    assert [s.shared for s in store.list_drafts(friend)] == [True]

    v1 = add_version(store, owner, draft.id, content(), rubric(1, 1), coach_mode="guided")
    v2 = add_version(store, friend, draft.id, content("Better."), rubric(2, 2), coach_mode="llm")
    assert (v1.number, v2.number) == (1, 2)
    assert store.versions(friend, draft.id) == [v1, v2]

    results = run_in_threads(
        2,
        lambda i: save_state(
            store, (owner, friend)[i], draft.id, expected_lock_version=1, answers={"n": str(i)}
        ),
    )
    assert sum(isinstance(r, ConcurrentUpdate) for r in results) == 1
    [winner] = [r for r in results if not isinstance(r, Exception)]
    assert store.get_draft(owner, draft.id).answers == winner.answers

    add_message(store, friend, draft.id, "user", "hello")
    assert [m.text for m in store.recent_messages(owner, draft.id)] == ["hello"]
    key = f"test:{workspace}"
    store.link_conversation(key, owner, draft.id)
    assert store.linked_draft(key, friend).id == draft.id  # type: ignore[union-attr]
    assert store.linked_draft(key, stranger) is None
    store.record_feedback(friend, v2.id, 1)
    store.record_feedback(friend, v2.id, -1)

    event = f"Ev{uuid.uuid4().hex}"
    events = EventStore(store.db)
    assert sorted(run_in_threads(4, lambda _: events.claim_event(event))) == [False] * 3 + [True]
    store.ping()


def test_core_contract_on_sqlite(store: DraftStore) -> None:
    exercise_core(store)


@pytest.mark.slow  # a real PostgreSQL server
def test_core_contract_on_postgresql(postgres_database_url: str) -> None:
    with DraftStore(postgres_database_url) as pg:
        exercise_core(pg)
        with pg.database.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []


def test_claiming_events_expires_ids_older_than_a_day(db_path: Path) -> None:
    """The dedupe table cannot grow forever: the running app expires old ids itself."""
    from sqlalchemy import func, select, update

    from bot.drafts.events import EVENT_RETENTION
    from bot.drafts.models import ProcessedEvent

    with DraftStore(sqlite_url(db_path)) as store:
        EventStore(store.db).claim_event("Ev-old")
        with store.database.begin() as connection:  # as if received two days ago
            connection.execute(
                update(ProcessedEvent).values(received_at=utcnow() - 2 * EVENT_RETENTION)
            )
    with DraftStore(sqlite_url(db_path)) as restarted:
        assert EventStore(restarted.db).claim_event("Ev-new") is True
        with restarted.database.connect() as connection:
            ids = connection.execute(select(ProcessedEvent.event_id)).scalars().all()
            count = connection.execute(select(func.count()).select_from(ProcessedEvent)).scalar()
        assert ids == ["Ev-new"] and count == 1


def test_a_draft_id_shaped_like_a_postcode_is_redrawn(monkeypatch):
    """A user types the id into /statement, and the guard sees the command first: an id it reads
    as a postcode would come back "no draft [postcode removed]" (a CI failure showed it)."""
    drawn = iter("e2k7ft" + "k7mnpq")
    monkeypatch.setattr(models.secrets, "choice", lambda _alphabet: next(drawn))
    assert redact_identifiers("e2k7ft").redacted  # the shape the first draw had
    assert models.new_draft_id() == "k7mnpq"


def test_no_new_draft_id_reads_as_an_identifier():
    ids = {models.new_draft_id() for _ in range(5000)}
    assert len(ids) > 4990
    assert not [i for i in ids if redact_identifiers(f"export {i} docx").findings]
