"""Fault: the Chroma server goes away while people are being coached, then comes back.

A real `chroma run` server holds a small real index (three knowledge files, so the test stays
quick). With the server killed, coaching turns still complete (without tips), a side question
and a knowledge question say the knowledge base is unavailable rather than "nothing found",
and `coach doctor` names the vector store as the thing that is down. When the server returns,
the SAME engine finds passages again: no app restart.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.coaching.engine import Engine
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.retrieval.indexer import build_index
from bot.retrieval.search import KnowledgeSearch
from tests.conftest import COACH, ROOT, coach_env
from tests.scale.services import ChromaServer

pytestmark = pytest.mark.slow
ACTOR = Actor("TCH", "uchroma")
FILES = (
    "frameworks/value-proposition-canvas.md",
    "frameworks/problem-statement-canvas.md",
    "guides/joint-working-rules.md",
)
QUESTION = "? what goes in a value proposition canvas"
UNAVAILABLE = "knowledge base is unavailable"


@pytest.fixture(scope="module")
def served(tmp_path_factory, embeddings):
    """(Chroma server, settings) with a three-file index built on the server."""
    why = ChromaServer.unavailable()
    if why:
        pytest.skip(f"Chroma fault test needs a server: {why}")
    from bot.settings import load_settings

    folder = tmp_path_factory.mktemp("chroma-fault")
    knowledge = folder / "knowledge"
    for name in FILES:
        (knowledge / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "knowledge" / name, knowledge / name)
    with ChromaServer() as server:
        settings = load_settings(
            coach_data_dir=folder / "data", coach_knowledge_dir=knowledge, chroma_url=server.url
        )
        report = build_index(settings, embeddings=embeddings)
        assert report.passages > 0 and not report.bad
        yield server, settings


def _doctor_vector_store(settings, home) -> str:
    env = coach_env(
        home,
        CHROMA_URL=settings.chroma_url,
        COACH_DATA_DIR=str(settings.coach_data_dir),
        COACH_KNOWLEDGE_DIR=str(settings.coach_knowledge_dir),
        COLUMNS="200",
    )
    result = subprocess.run([COACH, "doctor"], env=env, capture_output=True, text=True, timeout=180)
    assert "Traceback" not in result.stdout + result.stderr
    line = next(x for x in result.stdout.splitlines() if "vector store" in x)
    return " ".join(line.replace("│", " ").split())


def test_coaching_continues_without_the_chroma_server_and_recovers(
    served, embeddings, tmp_path, capsys
) -> None:
    server, settings = served
    answers = list(GOOD_ANSWERS.values())
    counts = {"turns-during-outage": 0, "turns-completed": 0, "tips-during-outage": 0}
    with DraftStore(f"sqlite:///{tmp_path / 'coach.db'}") as store:
        engine = Engine(store, search=KnowledgeSearch(settings, embeddings))
        draft_id = engine.start(ACTOR, "Chroma outage").draft_id
        assert engine.answer_question(QUESTION).tips, "the server is up: a question finds passages"
        assert "✓ vector store" in _doctor_vector_store(settings, tmp_path)

        server.stop()
        for text in answers[:4]:
            reply = engine.handle(ACTOR, draft_id, text)
            counts["turns-during-outage"] += 1
            assert reply.kind != "error", reply.text
            counts["turns-completed"] += 1
            counts["tips-during-outage"] += len(reply.tips)
        side = engine.handle(ACTOR, draft_id, QUESTION)
        assert side.kind != "error"
        assert any(UNAVAILABLE in n for n in side.notices), side.notices
        asked = engine.answer_question(QUESTION)
        assert any(UNAVAILABLE in n for n in asked.notices), asked.notices
        down = _doctor_vector_store(settings, tmp_path)
        assert "✗ vector store" in down and "Chroma server" in down, down

        server.start()
        back = engine.answer_question(QUESTION)
        assert back.tips and not any(UNAVAILABLE in n for n in back.notices)
        assert "✓ vector store" in _doctor_vector_store(settings, tmp_path)
    assert counts["tips-during-outage"] == 0
    with capsys.disabled():
        print(
            "\n[chroma outage] "
            + " ".join(f"{k}={v}" for k, v in counts.items())
            + f" doctor-while-down='{down}' recovered=yes"
        )
