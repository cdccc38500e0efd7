"""Migrations on databases an older release left behind, rows and all.

0003: the flow state hiding among the answers moves to `drafts.flow`, losslessly.
0004: `drafts.stage` becomes `drafts.question_key` (SQLite and PostgreSQL), and a draft left on
the old default, which named no question, starts at the first question.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from bot.coaching.flow import Flow
from bot.coaching.stages import first_key
from bot.drafts.db import MIGRATIONS_DIR, create_store_engine, writer
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore

ALICE = Actor("T1", "alice")
OLD_ANSWERS = {
    "affected.who": "Adults with AF in 9 practices",
    "affected.now": "We need an app",
    "meta.attempts.affected.now": "1",
    "meta.return_to_review": "1",
    "override.problem_statement": "Adults with AF are under-treated.",
}


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _old_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = create_store_engine(url)
    config = _config()
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.exec_driver_sql(
            "INSERT INTO drafts (id, workspace_id, owner_id, title, partners, partner_type, "
            "area_of_care, status, stage, answers, created_at, updated_at, lock_version) VALUES "
            "('old123', 'T1', 'alice', 'Old', '[]', '', '', 'active', 'affected.now', ?, "
            "'2025-01-01 00:00:00', '2025-01-01 00:00:00', 1)",
            (json.dumps(OLD_ANSWERS),),
        )
        connection.exec_driver_sql(
            "INSERT INTO messages (draft_id, role, text, created_at) "
            "VALUES ('old123', 'user', 'kept', '2025-01-01 00:00:00')"
        )
    engine.dispose()
    return url


def test_upgrade_moves_flow_state_out_of_the_answers(tmp_path: Path) -> None:
    with DraftStore(_old_database(tmp_path / "old.db")) as store:
        draft = store.get_draft(ALICE, "old123")
        assert draft.answers == {
            "affected.who": "Adults with AF in 9 practices",
            "affected.now": "We need an app",
        }
        flow = Flow.from_json(draft.flow)
        assert flow.tried("affected.now") == 1 and flow.return_to_review
        assert flow.overrides == {"problem_statement": "Adults with AF are under-treated."}
        assert [m.text for m in store.recent_messages(ALICE, "old123")] == ["kept"]


def test_downgrade_puts_the_flow_state_back(tmp_path: Path) -> None:
    url = _old_database(tmp_path / "old.db")
    DraftStore(url).close()  # upgrade to the newest revision
    engine = create_store_engine(url)
    config = _config()
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
        (answers,) = connection.exec_driver_sql(
            "SELECT answers FROM drafts WHERE id = 'old123'"
        ).one()
    engine.dispose()
    assert json.loads(answers) == OLD_ANSWERS


# -- 0004: stage -> question_key -----------------------------------------------------------

OLD_ROWS = (
    # (id, what the stage column held): a draft mid-way, one in review, one on the old default
    ("mid001", "affected.now"),
    ("rev001", "review"),
    ("new001", "context"),
)


# PostgreSQL needs a server started for the run (initdb, then postgres itself: seconds of CPU in
# each test worker that needs one), so its half is in the slow lane, as the `slow` marker says.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL for a database with no tables yet, on each backend the store supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server = make_url(request.getfixturevalue("postgres_database_url"))
    name = f"migration_{uuid.uuid4().hex[:12]}"
    admin = create_store_engine(server.render_as_string(hide_password=False))
    with admin.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            f"CREATE DATABASE {name}"
        )
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )
        admin.dispose()


def _database_at_0003(url: str) -> None:
    engine = create_store_engine(url)
    config = _config()
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        for draft_id, stage in OLD_ROWS:
            connection.exec_driver_sql(
                "INSERT INTO drafts (id, workspace_id, owner_id, title, partners, partner_type, "
                "area_of_care, status, stage, answers, flow, created_at, updated_at, "
                f"lock_version) VALUES ('{draft_id}', 'T1', 'alice', 'Old', '[]', '', '', "
                f"'active', '{stage}', '{{}}', '{{}}', '2025-01-01 00:00:00', "
                "'2025-01-01 00:00:00', 1)"
            )
            connection.exec_driver_sql(
                "INSERT INTO messages (draft_id, role, text, created_at) "
                f"VALUES ('{draft_id}', 'user', 'kept', '2025-01-01 00:00:00')"
            )
    engine.dispose()


def test_upgrade_renames_stage_to_question_key_and_keeps_every_row(empty_database: str) -> None:
    _database_at_0003(empty_database)
    with DraftStore(empty_database) as store:
        keys = {d.id: d.question_key for d in store.list_drafts(ALICE)}
        assert keys == {"mid001": "affected.now", "rev001": "review", "new001": first_key()}
        for draft_id, _ in OLD_ROWS:
            # Messages hang off drafts with ON DELETE CASCADE: copying the table would lose them.
            assert [m.text for m in store.recent_messages(ALICE, draft_id)] == ["kept"]
        columns = {c["name"] for c in inspect(store.database).get_columns("drafts")}
        assert "question_key" in columns and "stage" not in columns
        draft = store.create_draft(ALICE, "New")
        assert draft.question_key == first_key()


def test_downgrade_from_0004_gives_the_stage_column_back(empty_database: str) -> None:
    _database_at_0003(empty_database)
    DraftStore(empty_database).close()  # upgrade to the newest revision
    engine = create_store_engine(empty_database)
    config = _config()
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
        rows = dict(connection.exec_driver_sql("SELECT id, stage FROM drafts").all())
        (messages,) = connection.exec_driver_sql("SELECT count(*) FROM messages").one()
    engine.dispose()
    assert rows == {"mid001": "affected.now", "rev001": "review", "new001": first_key()}
    assert messages == len(OLD_ROWS)
