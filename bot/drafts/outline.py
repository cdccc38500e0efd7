"""One outline of a draft: its sections, in meeting order, for every renderer.

The console, Slack (Block Kit), Markdown and Word each render this outline in their own way, so
they cannot disagree about which sections exist: scope and risks appear everywhere, an empty
section is dropped in one place, and a new field appears in every format at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.drafts.content import ChecklistItem, Citation, DraftContent, RubricScore

CHECKED, UNCHECKED = "☑", "☐"


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    bulleted: bool = True  # False when each item carries its own marker (☐/☑)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Scores:
    """The rubric scorecard: renderers show it as a table, or as marked lines in chat."""

    rubric: RubricScore

    @property
    def overall(self) -> str:
        line = f"Overall: {self.rubric.percent}% ({self.rubric.total}/{self.rubric.max_total})"
        if not self.rubric.gate_passed:
            line += " — scored 0 because identifiable data was found; remove it and re-score."
        return line

    @property
    def table(self) -> Table:
        rows = tuple((c.name, f"{c.score}/2", c.reason, c.suggestion) for c in self.rubric.criteria)
        return Table(("Criterion", "Score", "Reason", "Suggestion"), rows)


@dataclass(frozen=True)
class Sources:
    """Knowledge-base citations: each renderer links them its own way."""

    citations: tuple[Citation, ...]


Block = Paragraph | Bullets | Table | Scores | Sources


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


UNDERSTOOD_HEADING = "What I have"


def understood_section(lines: Sequence[str]) -> Section | None:
    """'What I have': one line per slot the coach read, so a misreading is seen at once.

    For the people drafting, not for the board: chat renderers pass it, exports do not."""
    kept = tuple(line for line in lines if line.strip())
    return Section(UNDERSTOOD_HEADING, (Bullets(kept),)) if kept else None


def outline(
    content: DraftContent, rubric: RubricScore | None, understood: Sequence[str] = ()
) -> list[Section]:
    """Every section in meeting order, with the empty ones already left out."""
    candidates = [
        _text("Problem statement", content.problem_statement),
        _text("How might we…", content.how_might_we),
        _value(content),
        _list("Evidence", content.evidence),
        _list("Measures", content.measures),
        _text("Scope", content.scope),
        _text("Risks, accountability and exit", content.risks),
        _rubric(rubric),
        _checklist(content),
        understood_section(understood),
        Section("Sources cited", (Sources(tuple(content.sources)),)) if content.sources else None,
    ]
    return [section for section in candidates if section is not None]


def _text(heading: str, text: str) -> Section | None:
    paragraphs = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
    return Section(heading, tuple(Paragraph(p) for p in paragraphs)) if paragraphs else None


def _list(heading: str, items: list[str]) -> Section | None:
    kept = tuple(i.strip() for i in items if i.strip())
    return Section(heading, (Bullets(kept),)) if kept else None


def _value(content: DraftContent) -> Section | None:
    parties = content.value_proposition
    if not parties:
        return None
    rows: tuple[tuple[str, ...], ...]
    if not any(p.gains for p in parties):  # an empty column only wastes the reader's eye
        rows = tuple((p.party, p.value) for p in parties)
        return Section("Value for each party", (Table(("Party", "Value"), rows),))
    rows = tuple((p.party, p.value, "; ".join(p.gains)) for p in parties)
    return Section("Value for each party", (Table(("Party", "Value", "Gains"), rows),))


def _rubric(rubric: RubricScore | None) -> Section | None:
    if rubric is None or not rubric.criteria:
        return None
    return Section("Rubric scorecard", (Scores(rubric),))


def _checklist(content: DraftContent) -> Section | None:
    if not content.checklist:
        return None
    items = tuple(
        f"{CHECKED if c.done else UNCHECKED} {c.item}" + (f" — {c.note}" if c.note else "")
        for c in content.checklist
    )
    return Section(checklist_heading(content.checklist), (Bullets(items, bulleted=False),))


JOINT_WORKING_HEADING = "Joint-working readiness checklist"
PARTNERSHIP_HEADING = "Partnership readiness checklist"
# The checklist's items for a pharmaceutical partner cite the ABPI Code (bot/coaching/checklist.py).
_MEDICINES_RULES = re.compile(r"\bABPI\b|\bprescrib", re.IGNORECASE)


def checklist_heading(items: Sequence[ChecklistItem]) -> str:
    """The checklist's heading in the partners' own terms.

    "Joint working" is the ABPI Code's name for an NHS partnership with a pharmaceutical
    company; a council, a charity or a software supplier reading it would think the list was
    not for them. The checklist's items already follow the partner type (the medicines rules
    appear only with a pharmaceutical partner), so the heading follows the items, which also
    keeps it right for drafts stored before it changed.
    """
    pharmaceutical = any(_MEDICINES_RULES.search(f"{c.item} {c.note}") for c in items)
    return JOINT_WORKING_HEADING if pharmaceutical else PARTNERSHIP_HEADING
