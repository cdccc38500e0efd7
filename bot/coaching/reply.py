"""What the engine hands back to an adapter: structured, so each adapter renders it its own way.

The console prints it with rich, Slack turns it into Block Kit, evals read the fields directly.
`as_text()` is the plain rendering every adapter can fall back on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.drafts.content import Citation, DraftContent, RubricScore

ReplyKind = Literal["question", "draft", "answer", "info", "error"]


@dataclass(frozen=True)
class Tip:
    text: str
    citation: Citation


@dataclass
class Reply:
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
    coach_mode: str = "guided"

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
            parts.append(draft_text(self.content, self.rubric, self.version))
        for tip in self.tips:
            parts.append(f"Tip: {tip.text}\n  — {tip.citation.where}: {tip.citation.link}")
        if self.question:
            header = f"[{self.progress}] " if self.progress else ""
            parts.append(f"{header}{self.question}")
            if self.hint:
                parts.append(f"  ({self.hint})")
        return "\n\n".join(parts)


def draft_text(content: DraftContent, rubric: RubricScore | None, version: int | None) -> str:
    lines = [f"DRAFT{f' v{version}' if version else ''}: {content.title}"]
    if content.partners:
        lines.append("Partners: " + ", ".join(content.partners))
    lines += ["", "Problem statement:", content.problem_statement or "(not yet answered)"]
    if content.how_might_we:
        lines += ["", content.how_might_we]
    if content.value_proposition:
        lines += ["", "Value for each party:"]
        lines += [f"• {party.party}: {party.value}" for party in content.value_proposition]
    if content.evidence:
        lines += ["", "Evidence:"] + [f"• {item}" for item in content.evidence]
    if content.measures:
        lines += ["", "Measures:"] + [f"• {item}" for item in content.measures]
    if content.checklist:
        lines += ["", "Joint-working readiness:"]
        lines += [f"{'☑' if item.done else '☐'} {item.item}" for item in content.checklist]
    if rubric is not None:
        lines += ["", f"Rubric: {rubric.total}/{rubric.max_total} ({rubric.percent}%)"]
        for criterion in rubric.criteria:
            mark = "✓" if criterion.score == 2 else ("~" if criterion.score == 1 else "✗")
            lines.append(f"{mark} {criterion.name} {criterion.score}/2 — {criterion.reason}")
    if content.sources:
        lines += ["", "Sources:"]
        lines += [f"[{n}] {c.where}: {c.link}" for n, c in enumerate(content.sources, 1)]
    return "\n".join(lines)
