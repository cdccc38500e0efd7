"""👍/👎 on knowledge answers: kept guarded, one vote per person, only where the answer was shown.

The store keeps each answer (`knowledge_answers`) and its votes (`answer_feedback`, migration
0005); the engine keeps an answer only when an adapter names who asked and where, and streams
the answer as the coach writes it; a maintainer can list the answers voted down.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select, update

from bot.coaching.coach import CoachWords
from bot.coaching.engine import Engine
from bot.drafts.answers import ANSWER_RETENTION, AnswerStore
from bot.drafts.db import MIGRATIONS_DIR, create_store_engine, writer
from bot.drafts.events import EventStore
from bot.drafts.models import AnswerFeedback, KnowledgeAnswer, utcnow
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.errors import AnswerNotFound, ModelUnavailable, StoreBusy
from bot.llm.exchange import TextSink, Turn
from bot.retrieval.passage import Passage
from tests.test_flow_migration import empty_database  # noqa: F401 (a fixture: both backends)

ALICE = Actor("T1", "alice")
BOB = Actor("T1", "bob")
MALLORY = Actor("T2", "alice")  # the same user id in another workspace is another person
PANEL = "slack:T1:DALICE"
NHS_NUMBER = "943 476 5919"


@pytest.fixture
def store(tmp_path: Path):
    with DraftStore(f"sqlite:///{tmp_path / 'coach.db'}") as opened:
        yield opened


def _votes(store: DraftStore) -> list[tuple[int, str, int]]:
    with store.database.connect() as connection:
        rows = connection.execute(
            select(AnswerFeedback.answer_id, AnswerFeedback.user_id, AnswerFeedback.value).order_by(
                AnswerFeedback.id
            )
        ).all()
    return [tuple(row) for row in rows]


def _answer(
    store: DraftStore,
    actor: Actor = ALICE,
    place: str = PANEL,
    q: str = "what?",
    retention: timedelta | None = ANSWER_RETENTION,
) -> int:
    answers = AnswerStore(store.db, retention=retention)
    return answers.record_answer(actor, place, question=q, excerpt="It is…", sources=["Guide: x"])


# -- the store ---------------------------------------------------------------------------------


def test_one_vote_per_person_and_answer_and_a_second_vote_replaces_the_first(store) -> None:
    answer = _answer(store)
    AnswerStore(store.db).record_answer_feedback(ALICE, answer, PANEL, -1)
    AnswerStore(store.db).record_answer_feedback(ALICE, answer, PANEL, +1)
    assert _votes(store) == [(answer, "alice", 1)]
    AnswerStore(store.db).record_answer_feedback(
        BOB, answer, PANEL, -1
    )  # a colleague who saw it votes apart
    assert _votes(store) == [(answer, "alice", 1), (answer, "bob", -1)]


def test_votes_are_refused_for_unknown_answers_other_places_and_other_workspaces(store) -> None:
    answer = _answer(store)
    with pytest.raises(AnswerNotFound):
        AnswerStore(store.db).record_answer_feedback(ALICE, answer + 100, PANEL, 1)
    with pytest.raises(AnswerNotFound):  # an id copied into a click somewhere else
        AnswerStore(store.db).record_answer_feedback(ALICE, answer, "slack:T1:DBOB", 1)
    with pytest.raises(AnswerNotFound):
        AnswerStore(store.db).record_answer_feedback(MALLORY, answer, PANEL, 1)
    with pytest.raises(ValueError):
        AnswerStore(store.db).record_answer_feedback(ALICE, answer, PANEL, 5)
    assert _votes(store) == []


def test_a_maintainer_lists_answers_voted_down_most_recent_first(store) -> None:
    liked, disliked, older = (_answer(store, q=q) for q in ("liked?", "disliked?", "older?"))
    AnswerStore(store.db).record_answer_feedback(ALICE, liked, PANEL, 1)
    AnswerStore(store.db).record_answer_feedback(ALICE, older, PANEL, -1)
    AnswerStore(store.db).record_answer_feedback(ALICE, disliked, PANEL, -1)
    AnswerStore(store.db).record_answer_feedback(BOB, disliked, PANEL, -1)
    listed = AnswerStore(store.db).disliked_answers()
    assert [(a.question, a.votes_down) for a in listed] == [("disliked?", 2), ("older?", 1)]
    assert listed[0].sources == ["Guide: x"] and listed[0].last_voted_at.tzinfo is not None
    assert [a.answer_id for a in AnswerStore(store.db).disliked_answers(limit=1)] == [disliked]
    assert AnswerStore(store.db).disliked_answers(since=utcnow() + timedelta(minutes=1)) == []


# -- retention ---------------------------------------------------------------------------------


def _age(store: DraftStore, answer_id: int, days: float) -> None:
    """Backdate an answer, as if it had been shown `days` ago."""
    shown = utcnow() - timedelta(days=days)
    with store.database.begin() as connection:
        connection.execute(
            update(KnowledgeAnswer).where(KnowledgeAnswer.id == answer_id).values(created_at=shown)
        )


def _answer_ids(store: DraftStore) -> list[int]:
    with store.database.connect() as connection:
        return list(connection.scalars(select(KnowledgeAnswer.id).order_by(KnowledgeAnswer.id)))


def test_answers_past_the_retention_period_go_with_their_votes(empty_database: str) -> None:  # noqa: F811
    with DraftStore(empty_database) as store:
        old, recent = _answer(store, q="old?"), _answer(store, q="recent?")
        for answer in (old, recent):
            AnswerStore(store.db).record_answer_feedback(ALICE, answer, PANEL, -1)
        AnswerStore(store.db).record_answer_feedback(BOB, old, PANEL, 1)
        AnswerStore(store.db).record_answer_feedback(BOB, recent, PANEL, 1)
        _age(store, old, days=ANSWER_RETENTION.days + 1)
        _age(store, recent, days=ANSWER_RETENTION.days - 1)
    with DraftStore(empty_database) as restarted:  # a new process: its first answer expires
        newest = _answer(restarted, q="newest?")
        assert _answer_ids(restarted) == [recent, newest]
        assert _votes(restarted) == [(recent, "alice", -1), (recent, "bob", 1)]
        assert [a.question for a in AnswerStore(restarted.db).disliked_answers()] == ["recent?"]


@pytest.mark.parametrize(("retention", "kept"), [(timedelta(days=7), [3]), (None, [3, 10, 3650])])
def test_the_retention_period_is_the_callers_and_none_keeps_answers_forever(
    tmp_path: Path, retention: timedelta | None, kept: list[int]
) -> None:
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    ages: dict[int, int] = {}
    with DraftStore(url) as store:
        for days in (3, 10, 3650):
            ages[_answer(store, q=f"{days} days old?")] = days
            _age(store, max(ages), days)
    with DraftStore(url) as restarted:
        newest = _answer(restarted, retention=retention)
        assert [ages.get(i) for i in _answer_ids(restarted) if i != newest] == kept


def test_expiry_runs_at_most_once_an_interval_per_process(store: DraftStore) -> None:
    first = _answer(store)  # the process's first answer: expiry ran, with nothing to expire
    _age(store, first, days=ANSWER_RETENTION.days + 1)
    _answer(store)
    assert first in _answer_ids(store)  # left for the next interval
    assert AnswerStore(store.db).forget_answers(utcnow() - ANSWER_RETENTION) == 1
    assert first not in _answer_ids(store)


def test_a_failed_expiry_never_loses_the_answer_just_recorded(
    store: DraftStore, monkeypatch, caplog
) -> None:
    def busy(self: AnswerStore, before: object) -> int:
        raise StoreBusy("the database is busy")

    monkeypatch.setattr(AnswerStore, "forget_answers", busy)
    answer = _answer(store)
    assert _answer_ids(store) == [answer]
    assert "could not expire old knowledge answers" in caplog.text


# -- the migration (0005) ----------------------------------------------------------------------


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _migrate(url: str, step: str, target: str) -> None:
    engine = create_store_engine(url)
    config = _config()
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, step)(config, target)
    engine.dispose()


def test_0005_adds_the_answer_tables_and_downgrade_removes_them(empty_database: str) -> None:  # noqa: F811
    _migrate(empty_database, "upgrade", "0004")
    with DraftStore(empty_database) as store:  # opening upgrades to the newest revision
        draft = store.create_draft(ALICE, "Kept")
        answer = _answer(store)
        AnswerStore(store.db).record_answer_feedback(ALICE, answer, PANEL, -1)
        assert [a.answer_id for a in AnswerStore(store.db).disliked_answers()] == [answer]
    _migrate(empty_database, "downgrade", "0004")
    database = create_store_engine(empty_database)
    tables = set(inspect(database).get_table_names())
    database.dispose()
    assert "drafts" in tables
    assert not {"knowledge_answers", "answer_feedback"} & tables
    with DraftStore(empty_database) as store:  # and up again, with the drafts untouched
        assert store.get_draft(ALICE, draft.id).title == "Kept"
        assert AnswerStore(store.db).disliked_answers() == []


def _index_names(url: str, table: str) -> set[str]:
    database = create_store_engine(url)
    names = {index["name"] for index in inspect(database).get_indexes(table)}
    database.dispose()
    return {name for name in names if name}


def test_0006_indexes_the_expiry_columns_and_downgrade_drops_them(empty_database: str) -> None:  # noqa: F811
    _migrate(empty_database, "upgrade", "0005")
    with DraftStore(empty_database) as store:  # opening upgrades to the newest revision
        answer = _answer(store)
        assert EventStore(store.db).claim_event("Ev0006")
    assert "ix_knowledge_answers_created_at" in _index_names(empty_database, "knowledge_answers")
    assert "ix_processed_events_received_at" in _index_names(empty_database, "processed_events")
    _migrate(empty_database, "downgrade", "0005")
    assert "ix_knowledge_answers_created_at" not in _index_names(
        empty_database, "knowledge_answers"
    )
    assert "ix_processed_events_received_at" not in _index_names(empty_database, "processed_events")
    with DraftStore(empty_database) as store:  # and up again, every row still there
        assert answer in _answer_ids(store)
        assert not EventStore(store.db).claim_event("Ev0006")


# -- the engine --------------------------------------------------------------------------------


def _passage(title: str, heading: str, text: str) -> Passage:
    return Passage(
        title=title,
        source=f"Test corpus: {title}",
        path=f"guides/{title.lower().replace(' ', '-')}.md",
        heading=heading,
        kind="guide",
        score=0.0,
        text=text,
        source_urls=(f"https://example.org/{title.lower().replace(' ', '-')}",),
    )


class OnePassageSearch:
    """The same passage for every query: these tests are about keeping answers, not ranking."""

    embeddings = None

    def search(self, query: str, k: int = 3, meaning_of: Sequence[str] = ()) -> list[Passage]:
        return [
            _passage(
                "Driver diagrams",
                "What a driver diagram shows",
                "A driver diagram links an aim to the drivers that shape it and the change "
                "ideas that act on each.",
            )
        ]


@pytest.fixture
def engine(store):
    return Engine(store, search=OnePassageSearch())  # type: ignore[arg-type]


def test_an_answer_is_kept_guarded_only_when_the_adapter_says_who_asked_and_where(
    engine, store
) -> None:
    unkept = engine.answer_question("what is a driver diagram?")
    assert unkept.kind == "answer" and unkept.answer_id is None
    reply = engine.answer_question(
        f"what is a driver diagram for NHS {NHS_NUMBER}?", asker=ALICE, place=PANEL
    )
    assert reply.answer_id is not None
    with store.database.connect() as connection:
        (row,) = connection.execute(select(KnowledgeAnswer)).all()
    assert (row.workspace_id, row.user_id, row.place) == ("T1", "alice", PANEL)
    assert NHS_NUMBER not in row.question and "driver diagram" in row.question
    assert row.excerpt and row.excerpt in " ".join(reply.text.split())
    (source,) = row.sources
    assert source.startswith("Driver diagrams") and "https://example.org/driver-diagrams" in source
    engine.drafts.rate_answer(ALICE, reply.answer_id, PANEL, -1)
    assert _votes(store) == [(reply.answer_id, "alice", -1)]


def test_the_guided_coach_streams_its_answer_in_one_piece(engine) -> None:
    pieces: list[str] = []
    reply = engine.answer_question("what is a driver diagram?", stream=pieces.append)
    assert pieces == [reply.text]


class HalfAnswerThenFail:
    """A model that writes some words and then fails (a stream cut mid-answer)."""

    mode = "llm"
    model = "fake"
    prompt_versions: dict[str, str] = {}  # noqa: RUF012 (read only)

    def __init__(self, words: str = "") -> None:
        self.words = words

    def side_answer(
        self,
        question: str,
        passages: list[Passage],
        history: list[Turn],
        stream: TextSink | None = None,
    ) -> CoachWords:
        if self.words and stream is not None:
            stream(self.words)
        raise ModelUnavailable("the stream was cut")


@pytest.mark.parametrize("written", ["", "A driver diagram"])
def test_a_fallback_streams_only_when_the_model_showed_nothing(store, written) -> None:
    engine = Engine(store, HalfAnswerThenFail(written), search=OnePassageSearch())  # type: ignore[arg-type]
    pieces: list[str] = []
    reply = engine.answer_question("what is a driver diagram?", stream=pieces.append)
    assert "guided coach answered" in " ".join(reply.notices)
    if written:  # the guided words go in the finished reply, not behind half an answer
        assert pieces == [written]
    else:
        assert pieces == [reply.text]


def test_coach_eval_harvest_lists_the_answers_voted_down(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    monkeypatch.chdir(tmp_path)  # no stray .env from the checkout
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    with DraftStore(url) as store:
        voted = _answer(store, q="what is a driver diagram?")
        AnswerStore(store.db).record_answer_feedback(ALICE, voted, PANEL, -1)
        AnswerStore(store.db).record_answer_feedback(ALICE, _answer(store, q="liked?"), PANEL, 1)
    result = CliRunner().invoke(app, ["eval", "harvest"])
    assert result.exit_code == 0, result.output
    assert "👎 1: what is a driver diagram? (Guide: x)" in result.output
    assert "liked?" not in result.output
    assert "0 case files written" in result.output and "answers voted down: 1" in result.output


def test_coach_eval_harvest_lists_answers_voted_down_within_the_retention_period(
    tmp_path: Path, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    with DraftStore(url) as store:
        expired, kept = _answer(store, q="expired?"), _answer(store, q="kept?")
        for answer in (expired, kept):
            AnswerStore(store.db).record_answer_feedback(ALICE, answer, PANEL, -1)
        _age(store, expired, days=31)
        _age(store, kept, days=29)
    with DraftStore(url) as store:
        _answer(
            store, q="asked today?", retention=timedelta(days=30)
        )  # the app records its next answer
    result = CliRunner().invoke(app, ["eval", "harvest"])
    assert result.exit_code == 0, result.output
    assert "👎 1: kept? (Guide: x)" in result.output and "expired?" not in result.output


def test_the_app_opens_its_answers_with_the_retention_setting(tmp_path: Path, monkeypatch) -> None:
    """`open_answers` (what `coach slack` and the console's engine use) passes the setting on."""
    from bot.runtime import open_answers, open_store
    from bot.settings import load_settings

    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        coach_data_dir=tmp_path / "data", coach_answer_retention_days=7, database_url=""
    )
    with open_store(settings) as store:
        week_old, day_old = _answer(store, q="a week ago?"), _answer(store, q="yesterday?")
        _age(store, week_old, days=8)
        _age(store, day_old, days=1)
    with open_store(settings) as store:
        open_answers(settings, store).record_answer(ALICE, PANEL, question="today?", excerpt="…")
        assert week_old not in _answer_ids(store) and day_old in _answer_ids(store)
