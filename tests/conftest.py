"""Shared fixtures, and a guard that fails any test that reaches beyond this machine.

The product promises to work with no network: the guard is an audit hook on socket connects and
DNS look-ups that lets loopback through and records (and blocks) everything else, so a code path
that quietly tries to download a model or phone home fails the test that ran it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Fixtures that drive the Slack app over HTTP (slack, fake_slack, store), shared by modules.
pytest_plugins = ["tests.slack_fixtures"]
# The product must stay offline by itself: no HF_HUB_OFFLINE here, the code sets what it needs.
for name in (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "DATABASE_URL",
    "CHROMA_URL",
    "EMBEDDINGS",
):
    os.environ.pop(name, None)

sys.path.insert(0, str(ROOT / "tests" / "netguard"))
import netguard  # noqa: E402

netguard.install()
GUARDED_ENV = {"PYTHONPATH": str(ROOT / "tests" / "netguard")}
COACH = str(Path(sys.executable).parent / "coach")


def coach_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for running `coach` as a user would: private data dir, guarded network,
    and none of the developer's own model, Slack or coach settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "SLACK_", "COACH_", "HF_", "TRANSFORMERS_"))
    }
    env.update(GUARDED_ENV)
    env.update(
        COACH_DATA_DIR=str(home / "data"),
        COACH_KNOWLEDGE_DIR=str(ROOT / "knowledge"),
        COLUMNS="110",
        HOME=str(home),
    )
    env.update(extra)
    return env


@pytest.fixture(autouse=True)
def no_outside_network():
    """Fail the test if anything it ran tried to leave the machine, even if it was caught."""
    before = len(netguard.ATTEMPTS)
    yield
    attempts = netguard.ATTEMPTS[before:]
    if attempts:
        del netguard.ATTEMPTS[before:]
        pytest.fail("outside network contacted: " + "; ".join(attempts[:5]))


@pytest.fixture
def make_settings(tmp_path, monkeypatch):
    """Settings pointing at a private data dir; the real knowledge base unless told otherwise."""
    from bot.settings import load_settings

    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout

    def build(**overrides):
        values = {
            "coach_data_dir": tmp_path / "data",
            "coach_knowledge_dir": ROOT / "knowledge",
        }
        values.update(overrides)
        return load_settings(**values)

    return build


@pytest.fixture(scope="session")
def embeddings():
    """The real local embedding model, loaded once for the whole run."""
    from bot.retrieval.embeddings import LazyEmbeddings
    from bot.settings import load_settings

    return LazyEmbeddings(load_settings(embeddings="local"))


def indexed_settings(data, embeddings, **options):
    """Settings over `data` whose index holds the real knowledge base, built with the real model
    (`options` such as chroma_url put the index elsewhere)."""
    from bot.retrieval.indexer import build_index
    from bot.settings import load_settings

    settings = load_settings(coach_data_dir=data, coach_knowledge_dir=ROOT / "knowledge", **options)
    report = build_index(settings, embeddings=embeddings)
    assert report.passages > 0 and not report.bad, report.bad
    return settings


@pytest.fixture(scope="session")
def knowledge_settings(tmp_path_factory, embeddings):
    """An index of the real knowledge base, built once per run with the real model."""
    return indexed_settings(tmp_path_factory.mktemp("knowledge-index"), embeddings)


@pytest.fixture(scope="session")
def knowledge_search(knowledge_settings, embeddings):
    from bot.retrieval.search import KnowledgeSearch

    return KnowledgeSearch(knowledge_settings, embeddings)


@pytest.fixture(scope="session")
def postgres_database_url():
    """A real PostgreSQL database for this run, or skip where no server can be started."""
    from tests.postgres_server import postgres_url

    with postgres_url() as url:
        if url is None:
            pytest.skip("no PostgreSQL server binaries here and COACH_TEST_DATABASE_URL unset")
        yield url
