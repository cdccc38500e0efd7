"""Coaching engine: overhead per turn without a model, and turns and tokens per statement.

Guided mode measures what the engine itself costs a turn (privacy guard, checks, retrieval, the
store); LLM mode runs the real LLM coach against the scripted fake model server on loopback, so
its numbers are turns and tokens per completed statement, not model speed.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.timing import summary_ms
from bot.coaching.engine import Engine
from bot.coaching.llm_coach import LLMCoach
from bot.coaching.stages import QUESTION_KEYS
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.retrieval.embeddings import LazyEmbeddings
from bot.retrieval.indexer import build_index
from bot.retrieval.search import KnowledgeSearch
from bot.settings import load_settings
from bot.tokens import count_tokens
from tests.conversation_script import GOOD_ANSWERS
from tests.fakes.openai_server import FakeOpenAI, Scripted
from tests.fakes.scripted_coach import reply_for

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = 6


def _conversation(
    engine: Engine, actor: Actor, samples: list[float], said_afresh: str = ""
) -> tuple[int, str]:
    """One scripted conversation; `said_afresh` makes every answer text the model has not seen."""
    started = time.perf_counter()
    draft_id = engine.start(actor, "Benchmark draft").draft_id
    samples.append((time.perf_counter() - started) * 1000)
    turns = 1
    for key in QUESTION_KEYS:
        for text in (GOOD_ANSWERS[key] + said_afresh, "skip"):
            started = time.perf_counter()
            reply = engine.handle(actor, draft_id, text)
            samples.append((time.perf_counter() - started) * 1000)
            turns += 1
            if "Try a new version" not in reply.text:
                break
    return turns, draft_id


def run() -> dict:
    with tempfile.TemporaryDirectory() as data:
        settings = load_settings(coach_data_dir=Path(data), coach_knowledge_dir=ROOT / "knowledge")
        embeddings = LazyEmbeddings(settings)
        build_index(settings, embeddings=embeddings)
        search = KnowledgeSearch(settings, embeddings)
        search.warm_up()
        store = DraftStore(f"sqlite:///{Path(data) / 'bench.db'}")

        guided = Engine(store, search=search)
        guided.warm_up()  # as the Slack server and the console do in the background
        guided_samples: list[float] = []
        guided_turns = [
            _conversation(guided, Actor("B", f"user{n}"), guided_samples)[0]
            for n in range(CONVERSATIONS)
        ]
        # The script repeats its answers, so the runs above hit the embedding cache; a real user's
        # answers are new text. Each of these conversations words every answer afresh (what every
        # conversation repeats, such as each question's tip lookup, stays warm, as in a server).
        cold_samples: list[float] = []
        for n in range(3):
            _conversation(guided, Actor("B", f"cold{n}"), cold_samples, f" (conversation {n})")

        with FakeOpenAI() as fake:
            fake.set_default(lambda request: Scripted(**reply_for(request)))
            llm_settings = load_settings(
                coach_data_dir=Path(data), openai_base_url=fake.url, coach_model="fake-coach"
            )
            llm = Engine(store, LLMCoach(llm_settings), search=search)
            llm_samples: list[float] = []
            tokens = []
            llm_turns = []
            for n in range(3):
                actor = Actor("B", f"llm{n}")
                turns, draft_id = _conversation(llm, actor, llm_samples)
                llm_turns.append(turns)
                version = store.latest_version(actor, draft_id)
                requests = fake.chat_requests()
                sent = sum(
                    count_tokens(str(m.get("content") or ""))
                    for r in requests
                    for m in r.get("messages", [])
                )
                tokens.append(
                    {
                        "model_calls": len(requests),
                        "prompt_tokens": sent,
                        "draft_version_tokens": version.prompt_tokens if version else 0,
                    }
                )
                fake.requests.clear()
        store.close()

    return {
        "guided_turn": summary_ms(guided_samples),
        "guided_turn_new_text": summary_ms(cold_samples),
        "guided_turns_per_statement": sum(guided_turns) / len(guided_turns),
        "llm_turn_with_scripted_model": summary_ms(llm_samples),
        "llm_turns_per_statement": sum(llm_turns) / len(llm_turns),
        "llm_model_calls_per_statement": sum(t["model_calls"] for t in tokens) / len(tokens),
        "llm_prompt_tokens_per_statement": sum(t["prompt_tokens"] for t in tokens) / len(tokens),
        "llm_draft_version_tokens": sum(t["draft_version_tokens"] for t in tokens) / len(tokens),
    }
