"""The shape of a draft's content: what a coach produces and every exporter renders.

One schema serves the guided coach, the LLM coach (as its structured-output target), the
store (as JSON on each immutable version), the exporters and the Slack blocks, so a field added
here shows up everywhere at once instead of drifting between five hand-written copies.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """A knowledge-base passage the coach leaned on, so readers can check the advice."""

    title: str
    source: str = Field(description="file path relative to knowledge/, e.g. cases/take-air.md")
    heading: str = ""
    url: str = Field(default="", description="the public source a reader can check, if known")
    publication: str = Field(
        default="", description="the source's name when it has no URL, e.g. a book or a briefing"
    )

    @property
    def where(self) -> str:
        """Title and section, the words every renderer puts before the link."""
        return self.title + (f" › {self.heading}" if self.heading else "")

    @property
    def link(self) -> str:
        """What a reader can look up: the public URL; else the publication's name (a book, a
        briefing with no public copy); else the knowledge file (a team's own note)."""
        return self.url or self.publication or self.source


class CriterionScore(BaseModel):
    """One rubric criterion, scored 0 (missing) to 2 (strong), with the why and the fix."""

    id: str = Field(description="stable criterion id, e.g. 'who', 'gap', 'evidence'")
    name: str
    score: int = Field(ge=0, le=2)
    reason: str
    suggestion: str = ""


class RubricScore(BaseModel):
    """The whole scorecard; `gate_passed` is False when identifiable data was found."""

    criteria: list[CriterionScore]
    gate_passed: bool = True

    @property
    def total(self) -> int:
        return sum(c.score for c in self.criteria)

    @property
    def max_total(self) -> int:
        return 2 * len(self.criteria)

    @property
    def percent(self) -> int:
        """Overall score out of 100, the number users compare between versions."""
        if not self.criteria or not self.gate_passed:
            return 0
        return round(100 * self.total / self.max_total)


class PartyValue(BaseModel):
    """One party's side of the triple win: their jobs, pains and gains and the offer to them."""

    party: str = Field(description="e.g. 'Patients', 'The NHS organisation', 'The partner'")
    value: str = Field(description="one-sentence value proposition for this party")
    jobs: list[str] = Field(default_factory=list)
    pains: list[str] = Field(default_factory=list)
    gains: list[str] = Field(default_factory=list)


class ChecklistItem(BaseModel):
    """A joint-working readiness item (written agreement, public summary, exit strategy…)."""

    item: str
    done: bool = False
    note: str = ""


class DraftContent(BaseModel):
    """Everything a partnership meeting needs on one page."""

    title: str
    partners: list[str] = Field(default_factory=list)
    problem_statement: str = Field(description="at most three sentences")
    how_might_we: str = Field(description="one line starting 'How might we'")
    value_proposition: list[PartyValue] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    measures: list[str] = Field(default_factory=list)
    scope: str = ""
    risks: str = ""
    checklist: list[ChecklistItem] = Field(default_factory=list)
    sources: list[Citation] = Field(default_factory=list)
