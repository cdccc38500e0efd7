"""'What I have': one short line per filled slot, so a user sees at once what was read where.

Shown after a paste or an answer (the slots that message filled) and with every draft (all of
them, in the one outline every renderer draws), and rendered for the model's prompt from the
same slots, so the guided and the LLM coach draft from one understanding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.coaching.statement.model import SLOT_LABELS, Slot, Statement

LINE_CHARS = 110  # one line in a chat window
# Slots that only repeat part of another slot's line are left out of the compact view.
_PARTS_OF_OTHERS = frozenset({"target_date", "baseline", "target", "exclusions", "contribution"})


def _short(text: str, limit: int = LINE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


_JOIN = re.compile(r"^(?:against|compared\s+(?:with|to)|versus|vs\.?|whereas|while)\s+", re.I)


def slot_line(slot: Slot) -> str:
    value = _JOIN.sub("", slot.value) if slot.name == "comparator" else slot.value
    return f"{SLOT_LABELS[slot.name]}: {_short(value)}"


def lines(statement: Statement, only_from: Iterable[str] | None = None) -> list[str]:
    """The compact view; with `only_from`, just the slots those answers filled."""
    keys = set(only_from) if only_from is not None else None
    found = [
        slot_line(slot)
        for slot in statement.filled()
        if slot.name not in _PARTS_OF_OTHERS and (keys is None or slot.answer_key in keys)
    ]
    held = [
        f"{SLOT_LABELS.get(name, name)}: not used yet, because {why}"
        for name, why in statement.held_back.items()
    ]
    return found + (held if keys is None else [])


def lines_from_flow(flow_statement: dict[str, Any] | None) -> list[str]:
    """The compact view from a stored flow (the Slack card reads the draft row, not a turn)."""
    return lines(Statement.from_json(flow_statement))


def for_prompt(statement: Statement) -> str:
    """The slots for a model's prompt: each value with the user's words it came from.

    The model is told these are the facts to write from, word for word, and which ones are
    missing or were held back, so it asks rather than invents.
    """
    rows = [
        f"- {SLOT_LABELS[slot.name]}: {slot.value} (from: \u201c{_short(slot.words, 200)}\u201d; "
        f"confidence {slot.confidence:.1f})"
        for slot in statement.filled()
    ]
    rows += [
        f"- {SLOT_LABELS.get(name, name)}: held back, {why}"
        for name, why in statement.held_back.items()
    ]
    missing = [label for name, label in SLOT_LABELS.items() if name not in statement.slots]
    if missing:
        rows.append("- Not given yet (ask, never invent): " + ", ".join(missing))
    return "\n".join(rows)
