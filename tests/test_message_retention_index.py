"""The message retention purge finds old turns by an index, not by reading every turn.

`messages` grows with every turn of every draft, and `bot/drafts/message_retention.py` deletes
the turns older than COACH_MESSAGE_RETENTION_DAYS at each start and hourly, after checking that
any are due. On a store with enough turns for SQLite's planner to choose, both statements must
search `ix_messages_created_at` (migration 0007) and scan no table; and the migration must add
the index to a database made before it and take it away again on downgrade.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Delete, Select, delete, exists, insert, inspect, select, text
from sqlalchemy.dialects import sqlite

from bot.drafts.db import MIGRATIONS_DIR, create_store_engine, writer
from bot.drafts.models import Draft, Message
from bot.drafts.repository import DraftStore

TURNS = 4_000
CUTOFF = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> DraftStore:
    folder = tmp_path_factory.mktemp("retention-plans")
    store = DraftStore(f"sqlite:///{folder / 'coach.db'}", message_retention=None)
    now = datetime.now(UTC)
    with store.database.begin() as connection:
        connection.execute(
            insert(Draft),
            [
                {
                    "id": f"d{n:04d}",
                    "workspace_id": "T1",
                    "owner_id": f"U{n}",
                    "title": "A draft",
                    "lock_version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(40)
            ],
        )
        connection.execute(
            insert(Message),
            [
                {
                    "draft_id": f"d{n % 40:04d}",
                    "role": "user" if n % 2 else "coach",
                    "text": "a guarded turn",
                    "created_at": now - timedelta(minutes=n),
                }
                for n in range(TURNS)
            ],
        )
        connection.exec_driver_sql("ANALYZE")
    return store


def plan(store: DraftStore, statement: Select | Delete) -> list[str]:
    sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with store.database.connect() as connection:
        return [row[3] for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql))]


@pytest.mark.parametrize(
    "name, statement",
    [
        ("is any turn due", select(exists().where(Message.created_at < CUTOFF))),
        ("purge old turns", delete(Message).where(Message.created_at < CUTOFF)),
    ],
)
def test_the_purge_searches_by_the_created_at_index(store, name, statement) -> None:
    steps = plan(store, statement)
    scans = [s for s in steps if s.startswith("SCAN") and s != "SCAN CONSTANT ROW"]  # "SELECT 1"
    assert not scans, f"{name}: {steps}"
    assert any("ix_messages_created_at" in step for step in steps), f"{name}: {steps}"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _indexes(url: str) -> set[str]:
    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            return {index["name"] or "" for index in inspect(connection).get_indexes("messages")}
    finally:
        engine.dispose()


def test_migration_0007_adds_the_index_and_its_downgrade_drops_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_store_engine(url)
    with writer(engine).begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    engine.dispose()
    assert "ix_messages_created_at" not in _indexes(url)

    DraftStore(url).close()  # opening the store migrates it to the newest revision
    assert "ix_messages_created_at" in _indexes(url)

    engine = create_store_engine(url)
    with writer(engine).begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    engine.dispose()
    assert "ix_messages_created_at" not in _indexes(url)
