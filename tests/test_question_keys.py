"""Answer keys are named by their constants in `bot/coaching/questions.py`, not retyped.

A key written out as a string elsewhere goes stale silently when a question is renamed or split;
the constants fail loudly at import. Only places that cannot import the coaching package (the
drafts models and a frozen migration) keep a literal.
"""

from __future__ import annotations

import ast
from pathlib import Path

from bot.coaching.questions import QUESTIONS

ROOT = Path(__file__).resolve().parents[1]
ALLOWED_LITERALS = 3


def test_answer_keys_are_literal_strings_only_where_the_constants_cannot_be_imported() -> None:
    keys = {q.key for q in QUESTIONS if "." in q.key}  # "evidence" is also a stage id: skipped
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if path.name != "questions.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in keys
    ]
    assert len(found) <= ALLOWED_LITERALS, "\n".join(found)


def test_the_rubric_places_answers_by_each_questions_criterion() -> None:
    from bot.coaching.rubric import CRITERIA

    ids = {c.id for c in CRITERIA}
    assert {q.criterion for q in QUESTIONS if q.criterion} <= ids
