"""`coach` starts quickly: each command loads only what it needs.

`make bench` measures the seconds; these tests pin down the causes, which regress silently when a
module-level import creeps back in (Alembic on every store open, settings or SQLAlchemy for
`--help`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from bot.drafts.db import MIGRATIONS_DIR, head_revision
from tests.conftest import coach_env

# Runs a command in-process in a fresh interpreter and reports which heavy modules it loaded:
# the store's and settings' libraries, and what only other commands need (the models and index,
# the Word export, the privacy guard (its patterns, Presidio and spaCy), the LLM client).
PROBE = """
import json, sys
from typer.testing import CliRunner
from bot.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
loaded = sorted(m for m in ("alembic", "sqlalchemy", "pydantic_settings", "bot.settings",
                            "torch", "chromadb", "bot.coaching.engine", "bot.drafts.export",
                            "docx", "presidio_analyzer", "spacy", "openai",
                            "bot.privacy.guard")
                if m in sys.modules)
print(json.dumps({"code": result.exit_code, "output": result.output, "loaded": loaded}))
"""


def probe(args: list[str], env: dict[str, str]) -> tuple[int, str, list[str]]:
    """(exit code, output, heavy modules loaded) of `coach <args>` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    return seen["code"], seen["output"], seen["loaded"]


def test_help_loads_neither_settings_nor_the_store(tmp_path: Path) -> None:
    code, output, loaded = probe(["--help"], coach_env(tmp_path))
    assert code == 0 and "drafts" in output
    assert loaded == []


def test_listing_drafts_opens_the_store_without_alembic_or_the_engine(tmp_path: Path) -> None:
    env = coach_env(tmp_path)
    code, output, loaded = probe(["drafts", "list", "--json"], env)  # creates and migrates
    assert (code, json.loads(output)) == (0, [])
    assert "alembic" in loaded

    code, output, loaded = probe(["drafts", "list", "--json"], env)  # already at head
    assert (code, json.loads(output)) == (0, [])
    assert loaded == ["bot.settings", "pydantic_settings", "sqlalchemy"]


def test_the_cheap_head_revision_is_alembics() -> None:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()
