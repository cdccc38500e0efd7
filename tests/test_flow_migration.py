"""Migration 0003: the flow state hiding among the answers moves to `drafts.flow`, losslessly."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.coaching.flow import Flow
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
