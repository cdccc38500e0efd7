"""Growth: how the cost of a turn changes as the drafts table and the knowledge base grow.

Two questions an NHS platform team asks before a wide roll-out: will the hundredth thousand draft
make every turn slower, and will a knowledge base ten times the size? Both are measured in one
run, as ratios against the smallest size, because the machines here are shared and noisy.

- Drafts: one SQLite database grows to 1k, 10k and 100k drafts (each with a version, two
  messages and a thread link, spread over many users in two workspaces); at each size one user's
  guided turn, their draft list and the thread-link lookup are timed.
- Knowledge base: the real knowledge base, and a folder holding it ten times over (the same words
  under ten paths, so the ten copies embed once through the embedding cache while search has
  ten times the passages to score); at each size a guided turn (which looks up tips) and a
  knowledge question are timed.

`python -m benchmarks.growth` runs this section alone; `make bench` runs it with the others and
draws `results/growth.svg`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from benchmarks.support.conversation_script import GOOD_ANSWERS
from benchmarks.timing import summary_ms, time_calls
from bot.coaching.engine import Engine
from bot.coaching.stages import QUESTION_KEYS
from bot.drafts.models import ConversationLink, Draft, DraftVersion, Message
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.retrieval.embeddings import LazyEmbeddings
from bot.retrieval.indexer import build_index
from bot.retrieval.search import KnowledgeSearch
from bot.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
DRAFT_SIZES = (1_000, 10_000, 100_000)
KB_COPIES = (1, 10)
USERS = 2_000  # filler drafts belong to this many people, so one person has ~50 at 100k
BATCH = 5_000
TURNS = 24  # timed turns at each size
LOOKUPS = 40  # timed draft lists and link lookups at each size
ME = Actor("T1", "U-BENCH")


def run() -> dict:
    with tempfile.TemporaryDirectory() as data:
        folder = Path(data)
        settings = load_settings(coach_data_dir=folder, coach_knowledge_dir=ROOT / "knowledge")
        embeddings = LazyEmbeddings(settings)
        build_index(settings, embeddings=embeddings)
        search = KnowledgeSearch(settings, embeddings)
        search.warm_up()
        drafts = _drafts_growth(folder, search)
        knowledge = _knowledge_growth(folder, embeddings)
    return {"drafts": drafts, "knowledge": knowledge}


# -- drafts ------------------------------------------------------------------------------------
def _drafts_growth(folder: Path, search: KnowledgeSearch) -> list[dict]:
    store = DraftStore(f"sqlite:///{folder / 'growth.db'}")
    engine = Engine(store, search=search)
    engine.warm_up()
    for n in range(5):  # the measured person's own drafts, linked to threads like Slack's
        draft_id = engine.start(ME, f"My draft {n}").draft_id
        engine.drafts.link(f"slack:T1:C1:{n}", ME, draft_id)
    rows: list[dict] = []
    stored = 5
    for size in DRAFT_SIZES:
        _add_filler(store, start=stored, count=size - stored)
        stored = size
        draft_id = engine.start(ME, f"Measured at {size}").draft_id
        engine.drafts.link("slack:T1:C1:measured", ME, draft_id)
        turns = _timed_turns(engine, draft_id, tag=str(size))
        listing = time_calls(lambda: engine.drafts.list(ME), LOOKUPS)
        linked = time_calls(lambda: engine.current("slack:T1:C1:measured", ME), LOOKUPS)
        rows.append(
            {
                "drafts": size,
                "turn": summary_ms(turns),
                "list_my_drafts": summary_ms(listing),
                "thread_lookup": summary_ms(linked),
            }
        )
    store.close()
    base = rows[0]
    for row in rows:
        for key in ("turn", "list_my_drafts", "thread_lookup"):
            row[f"{key}_ratio"] = round(row[key]["p50_ms"] / max(base[key]["p50_ms"], 1e-6), 2)
    return rows


def _add_filler(store: DraftStore, start: int, count: int) -> None:
    """`count` drafts by other people, inserted in bulk: the turn under test is timed, not this."""
    now = datetime.now(UTC)
    content = {"title": "Filler", "problem_statement": "A filler draft.", "partners": []}
    for first in range(start, start + count, BATCH):
        numbers = range(first, min(first + BATCH, start + count))
        with store.database.begin() as connection:
            connection.execute(
                insert(Draft),
                [
                    {
                        "id": f"f{n:07d}",
                        "workspace_id": f"T{n % 2 + 1}",
                        "owner_id": f"U{n % USERS:05d}",
                        "title": f"Filler draft {n}",
                        "answers": {"context.topic": "Falls in care homes"},
                        "flow": {},
                        "lock_version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in numbers
                ],
            )
            connection.execute(
                insert(DraftVersion),
                [
                    {
                        "draft_id": f"f{n:07d}",
                        "number": 1,
                        "content": content,
                        "rubric": {"criteria": [], "gate_passed": True},
                        "coach_mode": "guided",
                        "created_at": now,
                    }
                    for n in numbers
                ],
            )
            connection.execute(
                insert(Message),
                [
                    {"draft_id": f"f{n:07d}", "role": role, "text": "words", "created_at": now}
                    for n in numbers
                    for role in ("user", "coach")
                ],
            )
            connection.execute(
                insert(ConversationLink),
                [
                    {
                        "key": f"slack:T{n % 2 + 1}:C9:{n}",
                        "workspace_id": f"T{n % 2 + 1}",
                        "user_id": f"U{n % USERS:05d}",
                        "draft_id": f"f{n:07d}",
                        "updated_at": now,
                    }
                    for n in numbers
                ],
            )


def _timed_turns(engine: Engine, draft_id: str, tag: str) -> list[float]:
    """Milliseconds for each of TURNS guided turns, answering the questions in order.

    Each answer carries `tag`, so no size is helped by the embedding cache another size filled.
    """
    samples: list[float] = []
    keys = list(QUESTION_KEYS)
    for n in range(TURNS):
        text = f"{GOOD_ANSWERS[keys[n % len(keys)]]} (run {tag}, turn {n})"
        started = time.perf_counter()
        engine.handle(ME, draft_id, text)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


# -- knowledge base ----------------------------------------------------------------------------
QUESTIONS = (
    "What is a driver diagram?",
    "How should we declare a joint working arrangement with a pharmaceutical company?",
    "What makes a good problem statement?",
    "How do we measure value for patients?",
)


def _knowledge_growth(folder: Path, embeddings: LazyEmbeddings) -> list[dict]:
    rows: list[dict] = []
    for copies in KB_COPIES:
        settings = _settings_with_copies(folder / f"kb{copies}", copies)
        started = time.perf_counter()
        report = build_index(settings, embeddings=embeddings)
        index_s = time.perf_counter() - started
        search = KnowledgeSearch(settings, embeddings)
        started = time.perf_counter()
        search.warm_up()
        load_s = time.perf_counter() - started
        store = DraftStore(f"sqlite:///{folder / f'kb{copies}.db'}")
        engine = Engine(store, search=search)
        engine.warm_up()
        draft_id = engine.start(ME, f"Knowledge x{copies}").draft_id
        turns = _timed_turns(engine, draft_id, tag=f"kb{copies}")
        asked = _timed_questions(engine)
        store.close()
        rows.append(
            {
                "copies": copies,
                "passages": report.passages,
                "index_s": round(index_s, 2),
                "search_load_s": round(load_s, 3),
                "turn": summary_ms(turns),
                "knowledge_question": summary_ms(asked),
            }
        )
    base = rows[0]
    for row in rows:
        for key in ("turn", "knowledge_question"):
            row[f"{key}_ratio"] = round(row[key]["p50_ms"] / max(base[key]["p50_ms"], 1e-6), 2)
    return rows


def _timed_questions(engine: Engine) -> list[float]:
    """Milliseconds for each knowledge question, five asks of each."""
    samples: list[float] = []
    for question in QUESTIONS:
        samples += time_calls(lambda q=question: engine.answer_question(q), 5)
    return samples


def _settings_with_copies(root: Path, copies: int) -> Settings:
    """Settings whose knowledge folder holds the real knowledge base `copies` times over."""
    knowledge = root / "knowledge"
    for n in range(copies):
        shutil.copytree(ROOT / "knowledge", knowledge / f"copy{n}")
    return load_settings(coach_data_dir=root / "data", coach_knowledge_dir=knowledge)


# -- chart -------------------------------------------------------------------------------------
def chart(result: dict) -> str:
    """Two small bar charts (p50 turn cost by drafts stored, and by knowledge-base size) as SVG."""
    from bot.evals.charts import BLUE, GREEN, Bar, bars

    by_drafts = [
        Bar(
            f"{label}, {row['drafts']:,} drafts",
            row[key]["p50_ms"],
            f"{row[key]['p50_ms']:.0f} ms (×{row[f'{key}_ratio']})",
            colour,
        )
        for row in result["drafts"]
        for key, label, colour in (("turn", "turn", BLUE), ("list_my_drafts", "my list", GREEN))
    ]
    by_knowledge = [
        Bar(
            f"{label}, KB ×{row['copies']} ({row['passages']:,})",
            row[key]["p50_ms"],
            f"{row[key]['p50_ms']:.0f} ms (×{row[f'{key}_ratio']})",
            colour,
        )
        for row in result["knowledge"]
        for key, label, colour in (
            ("turn", "turn", BLUE),
            ("knowledge_question", "question", GREEN),
        )
    ]
    top = max(bar.value for bar in by_drafts + by_knowledge)
    return (
        '<html><body style="font-family:sans-serif">'
        "<h3>Cost of a guided turn and of listing one's drafts (p50) as the drafts table grows</h3>"
        + bars("p50 by drafts stored", by_drafts, top)
        + "<h3>Cost of a turn and of a knowledge question (p50) as the knowledge base grows</h3>"
        + bars("p50 by knowledge-base size", by_knowledge, top)
        + "</body></html>"
    )


if __name__ == "__main__":
    import json

    outcome = run()
    print(json.dumps(outcome, indent=2))
    (ROOT / "benchmarks" / "results" / "growth.html").write_text(chart(outcome), encoding="utf-8")
