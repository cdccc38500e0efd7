"""Answers: does the short answer say what was asked, cite it, stay short, and come quickly?

The question set (`tests/data/answer_questions.yaml`, frozen; see its `.md`) was written apart
from the retrieval code: each question lists the facts a good answer must contain, each fact as
alternative phrasings, one of which must appear in the answer's own sentences (the numbered
source lines are not counted, so a document title cannot supply a fact). An answer is **cited**
when it has sentences and every one carries a `[n]` naming a citation with a path and a public
URL. Partner-type questions are asked as the engine asks a side question in a draft with that
partner (`AnswerContext`). Questions marked `pending_kb_fix` wait on a knowledge-base correction
and are reported apart. The composer was tuned on that set, so two held-out sets, each written
later by a helper who read neither the code nor the other sets, are reported on lines of their
own: set A (`answer_questions_holdout.yaml`), whose failures were read after its first run, and
set B (`answer_questions_final.yaml`), of which only the totals are ever looked at.

Times: **warm** is one `answer()` call in a process that has answered before (model, index and
sentence vectors loaded), one per question; **cold** is `coach ask --json` in a fresh process,
as a person typing it pays, with the sentence vectors already kept on disk.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from benchmarks.timing import summary_ms
from bot.retrieval.answer_context import AnswerContext
from bot.retrieval.answering import Answer, answer
from bot.retrieval.embeddings import LazyEmbeddings
from bot.retrieval.indexer import build_index
from bot.retrieval.search import KnowledgeSearch
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "answer_questions.yaml"
# Written later by a helper who read neither the code nor the set above, and never tuned on:
# the figure that says how the composer does on questions nobody shaped it for.
HOLDOUT = ROOT / "tests" / "data" / "answer_questions_holdout.yaml"
# A third set, written by another such helper and never read by whoever tunes the composer:
# only its totals are looked at (set A's failures were read after its first run).
FINAL = ROOT / "tests" / "data" / "answer_questions_final.yaml"
COACH = str(Path(sys.executable).parent / "coach")
COLD_RUNS = 5
WORD_LIMIT = 200
WARM_GOAL_MS = 300
_MARK = re.compile(r"\[(\d+)\]")
_MARKDOWN = re.compile(r"\*\*|__|`|^#|\]\(|^\s*[-*+]\s|\|", re.MULTILINE)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    style: str
    kind: str
    facts: list[list[str]]
    sources: list[str]
    partner_type: str = ""
    pending: bool = False


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Question(
            id=item["id"],
            question=item["question"],
            style=item.get("style", ""),
            kind=item.get("kind", ""),
            facts=[[str(p) for p in fact] for fact in item["required_facts"]],
            sources=list(item.get("sources", [])),
            partner_type=item.get("partner_type", "") or "",
            pending=bool(item.get("pending_kb_fix", False)),
        )
        for item in data["questions"]
    ]


def has_fact(text: str, alternatives: list[str]) -> bool:
    flat = " ".join(text.split()).casefold()
    return any(" ".join(a.split()).casefold() in flat for a in alternatives)


def cited(found: Answer) -> bool:
    """Every sentence carries a mark, and every mark names a citation with a path and a URL."""
    if not found.sentences:
        return False
    known = {c.n: c for c in found.citations}
    marks = {int(n) for n in _MARK.findall(found.text)}
    return bool(marks) and all(
        n in known and known[n].path and known[n].source_url.startswith("http") for n in marks
    )


def grade(q: Question, found: Answer) -> dict:
    text = found.text
    missing = [fact[0] for fact in q.facts if not has_fact(text, fact)]
    row = {
        "id": q.id,
        "style": q.style,
        "kind": q.kind,
        "pending": q.pending,
        "facts": not missing,
        "facts_found": len(q.facts) - len(missing),
        "facts_total": len(q.facts),
        "missing": missing,
        "cited": cited(found),
        "words": found.words,
        "short": found.words <= WORD_LIMIT,
        "markdown": bool(_MARKDOWN.search(text)),
        "source_cited": bool({c.path for c in found.citations} & set(q.sources)),
        # documents the answer cites that have no public URL in their front matter yet
        "unsourced": sorted(c.path for c in found.citations if not c.source_url.startswith("http")),
    }
    row["passed"] = row["facts"] and row["cited"] and row["short"] and not row["markdown"]
    # would pass but for citing a document that lacks a URL: a knowledge fix, not the composer
    row["only_unsourced"] = (
        not row["passed"]
        and row["facts"]
        and row["short"]
        and not row["markdown"]
        and bool(row["unsourced"])
    )
    return row


def _share(rows: list[dict], key: str) -> float:
    return round(sum(bool(r[key]) for r in rows) / len(rows), 3) if rows else 0.0


def _summary(rows: list[dict]) -> dict:
    return {
        "questions": len(rows),
        "passed": _share(rows, "passed"),
        "facts": _share(rows, "facts"),
        "cited": _share(rows, "cited"),
        "under_200_words": _share(rows, "short"),
        "markdown": _share(rows, "markdown"),
        "source_cited": _share(rows, "source_cited"),
        "fact_recall": round(
            sum(r["facts_found"] for r in rows) / max(sum(r["facts_total"] for r in rows), 1), 3
        ),
    }


def _cold(env: dict[str, str], questions: list[str]) -> dict:
    """Wall seconds of `coach ask --json` in fresh processes (after one untimed run)."""
    subprocess.run([COACH, "ask", "--json", questions[0]], env=env, capture_output=True)
    samples = []
    for question in questions[:COLD_RUNS]:
        started = time.perf_counter()
        done = subprocess.run([COACH, "ask", "--json", question], env=env, capture_output=True)
        samples.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"coach ask failed: {done.stderr.decode()[-300:]}")
    return {"p50_s": round(statistics.median(samples), 2), "max_s": round(max(samples), 2)}


def _answered(search: KnowledgeSearch, questions: list[Question]) -> tuple[list[dict], list[float]]:
    """Each question answered as the engine asks it (in a draft with its partner type, empty
    for most) and graded, with the milliseconds each answer took."""
    rows, samples = [], []
    for q in questions:
        context = AnswerContext.for_draft(q.partner_type)
        began = time.perf_counter()
        found = answer(search, q.question, context=context)
        samples.append((time.perf_counter() - began) * 1000)
        rows.append(grade(q, found))
    return rows, samples


def run() -> dict:
    questions = load_questions()
    held_out = load_questions(HOLDOUT) if HOLDOUT.exists() else []
    final = load_questions(FINAL) if FINAL.exists() else []
    with tempfile.TemporaryDirectory() as data:
        settings = load_settings(coach_data_dir=Path(data), coach_knowledge_dir=ROOT / "knowledge")
        embeddings = LazyEmbeddings(settings)
        build_index(settings, embeddings=embeddings)
        search = KnowledgeSearch(settings, embeddings)
        started = time.perf_counter()
        search.warm_up()  # loads the corpus and model, embeds and keeps every sentence
        prepare_s = time.perf_counter() - started

        rows, samples = _answered(search, questions)
        holdout_rows, _ = _answered(search, held_out)
        final_rows, _ = _answered(search, final)

        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("COACH_", "OPENAI_", "SLACK_", "DATABASE_URL", "CHROMA_"))
        }
        env.update(
            COACH_DATA_DIR=data,
            COACH_KNOWLEDGE_DIR=str(ROOT / "knowledge"),
            PYTHONPATH=str(ROOT),
        )
        cold = _cold(env, [q.question for q in questions if not q.pending])

    settled = [r for r in rows if not r["pending"]]
    by: dict[str, dict] = defaultdict(dict)
    for field in ("style", "kind"):
        for value in sorted({r[field] for r in settled}):
            by[field][value] = _summary([r for r in settled if r[field] == value])
    warm = summary_ms(samples)
    return {
        "set": str(QUESTIONS.relative_to(ROOT)),
        "all": _summary(settled),
        "pending_kb_fix": _summary([r for r in rows if r["pending"]]),
        "holdout": _summary(holdout_rows),
        "holdout_set": str(HOLDOUT.relative_to(ROOT)) if held_out else "",
        "final": _summary(final_rows),
        "final_set": str(FINAL.relative_to(ROOT)) if final else "",
        "by_style": by["style"],
        "by_kind": by["kind"],
        "warm_ms": warm,
        "warm_goal_met": warm["p50_ms"] < WARM_GOAL_MS,
        "cold": cold,
        "sentence_vectors_s": round(prepare_s, 1),
        "failing_only_for_unsourced_documents": sum(r["only_unsourced"] for r in settled),
        "failing": [
            {k: r[k] for k in ("id", "missing", "cited", "words", "unsourced")}
            for r in [*rows, *holdout_rows]
            if not r["passed"]
        ],
    }


def main() -> None:
    """`python -m benchmarks.answers`: this section alone, printed as JSON."""
    print(json.dumps(run(), indent=2))


if __name__ == "__main__":
    main()
