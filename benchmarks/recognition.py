"""The coach listens: how well answers are recognised, and what that does for whole conversations.

* per-question precision, recall and F1 on the held-back labelled sentences (never trained on),
  for the recogniser on the embedding model and on its word-hashing fallback;
* scripted users through the guided engine: a rambler who pastes everything at once (turns to a
  draft and its score), users one step ahead of or behind the questions and a terse user
  (answers lost or misfiled, compared with the script's labels), the sequential user (turns);
* the rubric on a draft assembled from misfiled answers.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.support.conversation_script import GOOD_ANSWERS
from benchmarks.support.scripted_users import (
    RICH_LABELS,
    RICH_PARAGRAPH,
    TERSE_SCRIPT,
    ahead_script,
    behind_script,
)
from bot.coaching.compose import compose_draft
from bot.coaching.engine import Engine
from bot.coaching.questions import NONE, QUESTION_KEYS, held_back_examples
from bot.coaching.recogniser import Recogniser, decide, shared_recogniser
from bot.coaching.rubric import score_draft
from bot.drafts.records import Actor
from bot.drafts.repository import DraftStore
from bot.retrieval.embeddings import LazyEmbeddings
from bot.settings import load_settings

GOAL_MACRO_F1 = 0.85


def per_question(recogniser: Recogniser) -> dict:
    """Precision, recall and F1 per question on the held-back split (top-1 label per sentence)."""
    items = [(key, text) for key, texts in held_back_examples().items() for text in texts]
    started = time.perf_counter()
    scored = recogniser.scores([text for _key, text in items])
    elapsed = time.perf_counter() - started
    predicted = [
        (decide(t, s).keys or (NONE,))[0] for (_k, t), s in zip(items, scored, strict=True)
    ]
    rows = []
    for key in QUESTION_KEYS:
        pairs = list(zip((k for k, _t in items), predicted, strict=True))
        tp = sum(1 for k, p in pairs if k == key and p == key)
        fp = sum(1 for k, p in pairs if k != key and p == key)
        fn = sum(1 for k, p in pairs if k == key and p != key)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(
            {"question": key, "n": tp + fn, "precision": precision, "recall": recall, "f1": f1}
        )
    return {
        "sentences": len(items),
        "macro_f1": sum(r["f1"] for r in rows) / len(rows),
        "accuracy": sum(1 for (k, _t), p in zip(items, predicted, strict=True) if k == p)
        / len(items),
        "ms_per_sentence": 1000 * elapsed / len(items),
        "questions": rows,
    }


def _misfiled(answers: dict[str, str], script: list[tuple[str, str]]) -> int:
    wrong = 0
    for text, label in script:
        for key in label.split("+"):
            expected = GOOD_ANSWERS[key] if "+" in label else text
            wrong += expected.rstrip(".") not in answers.get(key, "")
    return wrong


def _scripted(engine: Engine, store: DraftStore, name: str, script: list[tuple[str, str]]) -> dict:
    actor = Actor("B", name)
    draft_id = engine.start(actor, name).draft_id
    turns = 1
    for text, _label in script:
        reply = engine.handle(actor, draft_id, text)
        turns += 1
        if "Try a new version" in reply.text:
            engine.handle(actor, draft_id, "skip")
            turns += 1
    draft = store.get_draft(actor, draft_id)
    latest = store.latest_version(actor, draft_id)
    return {
        "turns": turns,
        "misfiled_or_lost": _misfiled(draft.answers, script),
        "labelled_parts": sum(len(label.split("+")) for _t, label in script),
        "score": latest.rubric.total if latest else None,
    }


def conversations(embeddings: LazyEmbeddings, data: Path) -> dict:
    class _EmbeddingsOnly:  # the recogniser shares the search's model; tips are not measured here
        def __init__(self) -> None:
            self.embeddings = embeddings

        def search(self, query: str, k: int, **_options: object) -> list:
            return []

    store = DraftStore(f"sqlite:///{data / 'recognition.db'}")
    engine = Engine(store, search=_EmbeddingsOnly())  # type: ignore[arg-type]
    actor = Actor("B", "rambler")
    reply = engine.start(actor, "Heart failure at home", opening_text=RICH_PARAGRAPH)
    draft = store.get_draft(actor, reply.draft_id)
    rich = {
        "turns_to_draft": 1,  # the paste arrives with /new (or as the first message)
        "score": reply.rubric.total if reply.rubric else None,
        "misfiled_or_lost": sum(v not in draft.answers.get(k, "") for k, v in RICH_LABELS.items()),
        "labelled_parts": len(RICH_LABELS),
    }
    sequential = [(GOOD_ANSWERS[k], k) for k in QUESTION_KEYS]
    result = {
        "rich_paragraph": rich,
        "ahead": _scripted(engine, store, "ahead", ahead_script()),
        "behind": _scripted(engine, store, "behind", behind_script()),
        "terse": _scripted(engine, store, "terse", TERSE_SCRIPT),
        "sequential": _scripted(engine, store, "sequential", sequential),
    }
    store.close()
    return result


def misfiled_draft_percent() -> list[int]:
    keys = list(QUESTION_KEYS)
    percents = []
    for step in (1, -1):
        answers = {key: GOOD_ANSWERS[keys[(i + step) % len(keys)]] for i, key in enumerate(keys)}
        percents.append(score_draft(compose_draft("AF", [], answers), answers).percent)
    return percents


def run() -> dict:
    embeddings = LazyEmbeddings(load_settings(embeddings="local"))
    model = shared_recogniser(embeddings)
    started = time.perf_counter()
    model.warm_up()
    train_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as data:
        scripted = conversations(embeddings, Path(data))
    return {
        "goal_macro_f1": GOAL_MACRO_F1,
        "model": {**per_question(model), "warm_up_s": round(train_s, 2)},
        "hashing_fallback": per_question(Recogniser()),
        "scripted_users": scripted,
        "misfiled_draft_percent": misfiled_draft_percent(),
    }
