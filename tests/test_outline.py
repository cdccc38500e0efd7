"""One outline of a draft: every section appears in every renderer (text, Slack, Markdown)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from benchmarks.support.conversation_script import GOOD_ANSWERS
from bot.coaching.compose import compose_draft
from bot.coaching.reply import draft_text
from bot.coaching.rubric import score_draft
from bot.drafts.content import Citation
from bot.drafts.export import render_markdown
from bot.drafts.outline import outline
from bot.drafts.records import DraftRecord, VersionRecord
from bot.slack.blocks import draft_blocks

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def _draft():
    content = compose_draft("AF", ["Our network", "Acme Pharma"], GOOD_ANSWERS)
    content = content.model_copy(
        update={"sources": [Citation(title="Driver diagrams", source="frameworks/driver.md")]}
    )
    return content, score_draft(content, GOOD_ANSWERS)


def test_the_outline_has_every_section_in_meeting_order():
    content, rubric = _draft()
    assert [s.heading for s in outline(content, rubric)] == [
        "Problem statement",
        "How might we…",
        "Value for each party",
        "Evidence",
        "Measures",
        "Scope",
        "Risks, accountability and exit",
        "Rubric scorecard",
        "Joint-working readiness checklist",
        "Sources cited",
    ]


def test_every_renderer_shows_scope_risks_and_each_section():
    content, rubric = _draft()
    version = VersionRecord(1, "d1", 1, content, rubric, "guided", None, {}, 0, 0, NOW)
    draft = DraftRecord(
        "d1", "T1", "alice", "AF", content.partners, "", "", "active", "review", {}, NOW, NOW, 1
    )
    rendered = {
        "text": draft_text(content, rubric, 1),
        "slack": json.dumps(draft_blocks(content, rubric, 1), ensure_ascii=False),
        "markdown": render_markdown(draft, version),
    }
    for name, text in rendered.items():
        for section in outline(content, rubric):
            assert section.heading.split()[0].strip(",") in text, (name, section.heading)
        assert "excluding people already under a hospital" in text, name  # the scope
        assert "clinical director is accountable" in text, name  # the risks
        assert "Driver diagrams" in text, name


def test_a_citation_without_a_url_names_its_publication_before_the_file():
    from bot.drafts.content import Citation

    with_url = Citation(title="T", source="guides/a.md", url="https://x.example/a", publication="P")
    book = Citation(title="T", source="frameworks/pov.md", publication="A book (2nd edition)")
    own_note = Citation(title="T", source="notes/ours.md")
    assert with_url.link == "https://x.example/a"
    assert book.link == "A book (2nd edition)"
    assert own_note.link == "notes/ours.md"


@pytest.mark.parametrize(
    ("partners", "heading", "not_heading"),
    [
        (["Our network", "Acme Pharma"], "Joint-working readiness checklist", "Partnership"),
        (
            ["Our ICB", "Riverside County Council"],
            "Partnership readiness checklist",
            "Joint-working",
        ),
        (
            ["Our trust", "a homelessness charity"],
            "Partnership readiness checklist",
            "Joint-working",
        ),
    ],
)
def test_the_checklist_heading_follows_the_partner_type_in_every_renderer(
    partners, heading, not_heading
):
    answers = {**GOOD_ANSWERS, "context.partners": " and ".join(partners)}
    content = compose_draft("AF", partners, answers)
    rubric = score_draft(content, answers)
    assert content.checklist
    version = VersionRecord(1, "d1", 1, content, rubric, "guided", None, {}, 0, 0, NOW)
    draft = DraftRecord(
        "d1", "T1", "alice", "AF", content.partners, "", "", "active", "review", {}, NOW, NOW, 1
    )
    for text in (
        draft_text(content, rubric, 1),
        json.dumps(draft_blocks(content, rubric, 1), ensure_ascii=False),
        render_markdown(draft, version),
    ):
        assert heading in text and f"{not_heading} readiness checklist" not in text
