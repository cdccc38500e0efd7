"""One outline of a draft: its sections, in meeting order, for every renderer.

The console, Slack (Block Kit), Markdown and Word each render this outline in their own way, so
they cannot disagree about which sections exist: scope and risks appear everywhere, an empty
section is dropped in one place, and a new field appears in every format at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.drafts.content import Citation, DraftContent, RubricScore

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


def outline(content: DraftContent, rubric: RubricScore | None) -> list[Section]:
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
    return Section("Joint-working readiness checklist", (Bullets(items, bulleted=False),))
