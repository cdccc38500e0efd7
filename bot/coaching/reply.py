"""What the engine hands back to an adapter: structured, so each adapter renders it its own way.

The console prints it with rich, Slack turns it into Block Kit, evals read the fields directly.
`as_text()` is the plain rendering every adapter can fall back on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.drafts.content import Citation, DraftContent, RubricScore
from bot.drafts.outline import Block, Bullets, Paragraph, Scores, Table, outline

ReplyKind = Literal["question", "draft", "answer", "info", "error"]


@dataclass(frozen=True)
class Tip:
    text: str
    citation: Citation


@dataclass
class Reply:
    """One turn's answer: everything an adapter shows, so it never reads the store again.

    A reply with `content` carries the version it shows (`version`, `drafted_at`), so an adapter
    can render the whole brief, byline included, from the reply alone.
    """

    draft_id: str
    kind: ReplyKind
    text: str = ""
    stage_number: int = 0
    stage_total: int = 0
    stage_name: str = ""
    question: str | None = None
    hint: str | None = None
    tips: list[Tip] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    content: DraftContent | None = None
    rubric: RubricScore | None = None
    version: int | None = None
    drafted_at: datetime | None = None  # when `version` was written
    coach_mode: str = "guided"
    # A knowledge answer kept for 👍/👎 (`Engine.answer_question` with an asker): its id is all
    # a feedback button needs to carry.
    answer_id: int | None = None
    # "What I have": one line per slot read from the answers (`statement.understood`).
    understood: list[str] = field(default_factory=list)

    @property
    def progress(self) -> str:
        if not self.stage_total:
            return ""
        return f"Stage {self.stage_number} of {self.stage_total}: {self.stage_name}"

    def as_text(self) -> str:
        """Plain text with every part of the reply, for logs, pipes and fallbacks."""
        parts: list[str] = [f"⚠ {notice}" for notice in self.notices]
        if self.text:
            parts.append(self.text)
        if self.content is not None:
            parts.append(draft_text(self.content, self.rubric, self.version, self.understood))
        for tip in self.tips:
            parts.append(f"Tip: {tip.text}\n  — {tip.citation.where}: {tip.citation.link}")
        if self.question:
            header = f"[{self.progress}] " if self.progress else ""
            parts.append(f"{header}{self.question}")
            if self.hint:
                parts.append(f"  ({self.hint})")
        return "\n\n".join(parts)


def draft_text(
    content: DraftContent,
    rubric: RubricScore | None,
    version: int | None,
    understood: list[str] | None = None,
) -> str:
    """The draft's one outline (`outline.py`) as plain text: every section, for any terminal."""
    lines = [f"DRAFT{f' v{version}' if version else ''}: {content.title}"]
    if content.partners:
        lines.append("Partners: " + ", ".join(content.partners))
    if not content.problem_statement.strip():
        lines += ["", "Problem statement:", "(not yet answered)"]
    for section in outline(content, rubric, understood or ()):
        lines += ["", f"{section.heading}:"]
        for block in section.blocks:
            lines += _plain_block(block)
    return "\n".join(lines)


_MARKS = {2: "✓", 1: "~", 0: "✗"}


def _plain_block(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Bullets):
        return [f"• {item}" if block.bulleted else item for item in block.items]
    if isinstance(block, Table):
        return [
            f"• {row[0]}: " + " — ".join(cell for cell in row[1:] if cell) for row in block.rows
        ]
    if isinstance(block, Scores):
        criteria = block.rubric.criteria
        marks = [f"{_MARKS.get(c.score, '?')} {c.name} {c.score}/2 — {c.reason}" for c in criteria]
        return [block.overall, *marks]
    return [f"[{n}] {c.where}: {c.link}" for n, c in enumerate(block.citations, start=1)]
