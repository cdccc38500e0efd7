"""Exports: the JSON for `coach drafts show --json`, the Markdown brief and the Word brief."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest

from bot.drafts.content import (
    ChecklistItem,
    Citation,
    CriterionScore,
    DraftContent,
    PartyValue,
    RubricScore,
)
from bot.drafts.export import draft_as_dict, render_docx, render_markdown
from bot.drafts.records import Actor, DraftRecord, VersionRecord
from bot.drafts.repository import DraftStore
from tests.store_writes import add_version

WHEN = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
PROBLEM = "Older people in Leeds wait 40 weeks for hearing aids, so they withdraw socially."
SECTIONS = [
    "Problem statement",
    "How might we…",
    "Value for each party",
    "Evidence",
    "Measures",
    "Scope",
    "Risks, accountability and exit",
    "Rubric scorecard",
    "Partnership readiness checklist",  # Acme Audiology: no medicines rules
    "Sources cited",
]


def full_content() -> DraftContent:
    return DraftContent(
        title="Faster hearing aids",
        partners=["Acme Audiology", "Leeds Teaching Hospitals"],
        problem_statement=PROBLEM,
        how_might_we="How might we halve the wait for hearing aids?",
        value_proposition=[
            PartyValue(
                party="Patients",
                value="Hear again within 20 weeks.",
                jobs=["stay connected"],
                pains=["isolation"],
                gains=["confidence", "independence"],
            ),
            PartyValue(party="The partner", value="A | reference site", gains=["evidence"]),
        ],
        evidence=["Waiting list audit, Jan 2025"],
        measures=["Median wait in weeks"],
        scope="Adults over 65 in Leeds.",
        risks="Acme withdraws: the trust keeps the pathway; exit after 12 months.",
        checklist=[
            ChecklistItem(item="Written agreement", done=True),
            ChecklistItem(item="Public summary", note="due in May"),
        ],
        sources=[
            Citation(
                title="Take Air case study",
                source="cases/take-air.md",
                heading="Results",
                url="https://chiesi.uk.com/take-air",
            )
        ],
    )


def scorecard() -> RubricScore:
    return RubricScore(
        criteria=[
            CriterionScore(
                id="who", name="Who is affected", score=2, reason="Named group", suggestion=""
            ),
            CriterionScore(
                id="evidence",
                name="Evidence",
                score=1,
                reason="One source",
                suggestion="Add patient feedback",
            ),
        ]
    )


def draft_record(**overrides: object) -> DraftRecord:
    values: dict[str, object] = {
        "id": "ab23cd",
        "workspace_id": "T1",
        "owner_id": "alice",
        "title": "Faster hearing aids",
        "partners": ["Acme Audiology"],
        "partner_type": "industry",
        "area_of_care": "Audiology",
        "status": "active",
        "question_key": "value.nhs",
        "answers": {},
        "created_at": WHEN,
        "updated_at": WHEN,
        "lock_version": 3,
    }
    values.update(overrides)
    return DraftRecord(**values)  # type: ignore[arg-type]


def version_record(
    number: int = 2, content: DraftContent | None = None, rubric: RubricScore | None = None
) -> VersionRecord:
    return VersionRecord(
        id=10 + number,
        draft_id="ab23cd",
        number=number,
        content=content or full_content(),
        rubric=rubric or scorecard(),
        coach_mode="llm",
        model="gpt-test",
        prompt_versions={"draft": "draft@2"},
        prompt_tokens=100,
        completion_tokens=50,
        created_at=WHEN,
    )


# -- JSON ------------------------------------------------------------------------------------


def test_draft_as_dict_uses_the_latest_version() -> None:
    older = version_record(1, full_content().model_copy(update={"problem_statement": "Old."}))
    data = draft_as_dict(draft_record(), [version_record(2), older])

    for key in [
        "id",
        "title",
        "owner",
        "stage",
        "status",
        "partners",
        "problem_statement",
        "how_might_we",
        "value_proposition",
        "evidence",
        "measures",
        "rubric",
        "score",
        "versions",
    ]:
        assert key in data
    assert (data["id"], data["owner"], data["stage"]) == ("ab23cd", "alice", "value.nhs")
    assert data["problem_statement"] == PROBLEM
    assert data["partners"] == ["Acme Audiology", "Leeds Teaching Hospitals"]
    assert set(data["value_proposition"][0]) == {"party", "value", "jobs", "pains", "gains"}
    assert set(data["rubric"][0]) == {"id", "name", "score", "reason", "suggestion"}
    assert data["score"] == 75
    assert [v["number"] for v in data["versions"]] == [1, 2]
    assert data["versions"][1] == {
        "number": 2,
        "created_at": "2025-03-04T09:30:00+00:00",
        "coach_mode": "llm",
        "model": "gpt-test",
        "prompt_versions": {"draft": "draft@2"},
        "score": 75,
        "prompt_tokens": 100,
        "completion_tokens": 50,
    }
    json.dumps(data)  # must be serialisable as is


def test_draft_as_dict_before_any_version_is_empty_not_missing() -> None:
    data = draft_as_dict(draft_record(), [])
    assert data["problem_statement"] == "" and data["how_might_we"] == ""
    assert data["value_proposition"] == data["rubric"] == data["versions"] == []
    assert data["evidence"] == data["measures"] == []
    assert data["partners"] == ["Acme Audiology"]
    assert data["score"] is None


# -- Markdown --------------------------------------------------------------------------------


@pytest.mark.slow  # a cited source ("Take Air case study") is a capitalised pair the guard reads
def test_markdown_has_every_section_in_order() -> None:
    text = render_markdown(draft_record(), version_record())

    assert text.startswith("# Faster hearing aids\n")
    positions = [text.index(f"## {heading}\n") for heading in SECTIONS]
    assert positions == sorted(positions)
    assert "Partners: Acme Audiology, Leeds Teaching Hospitals" in text
    assert "Date: 4 March 2025 · Version 2" in text
    assert PROBLEM in text
    assert "| Patients | Hear again within 20 weeks. | confidence; independence |" in text
    assert "A \\| reference site" in text  # a pipe cannot break the table
    assert "| Evidence | 1/2 | One source | Add patient feedback |" in text
    assert "Overall: 75%" in text
    assert "☑ Written agreement" in text and "☐ Public summary — due in May" in text
    assert "Take Air case study › Results — https://chiesi.uk.com/take-air" in text


def test_markdown_omits_empty_sections() -> None:
    sparse = DraftContent(title="Sparse", problem_statement=PROBLEM, how_might_we="")
    text = render_markdown(draft_record(partners=[]), version_record(1, sparse))

    assert "## Problem statement" in text and "## Rubric scorecard" in text
    for heading in SECTIONS:
        if heading not in ("Problem statement", "Rubric scorecard"):
            assert f"## {heading}" not in text
    assert "Partners:" not in text


def test_markdown_without_a_version_is_just_the_heading() -> None:
    text = render_markdown(draft_record(), None)
    assert text.startswith("# Faster hearing aids")
    assert "##" not in text


@pytest.mark.slow  # its cited source ("Take Air case study") is read by the guard's name model
def test_failed_privacy_gate_is_explained() -> None:
    gated = RubricScore(criteria=scorecard().criteria, gate_passed=False)
    text = render_markdown(draft_record(), version_record(rubric=gated))
    assert "Overall: 0%" in text and "identifiable data" in text


# -- Word ------------------------------------------------------------------------------------


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def test_docx_has_problem_statement_scorecard_and_checklist() -> None:
    document = open_docx(render_docx(draft_record(), version_record()))
    paragraphs = [p.text for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]

    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == "Faster hearing aids"
    assert headings == SECTIONS
    assert PROBLEM in paragraphs
    assert "☑ Written agreement" in paragraphs
    assert "☐ Public summary — due in May" in paragraphs
    assert "Overall: 75% (3/4)" in paragraphs

    value_table, score_table = document.tables
    assert [c.text for c in value_table.rows[0].cells] == ["Party", "Value", "Gains"]
    assert [c.text for c in score_table.rows[0].cells] == [
        "Criterion",
        "Score",
        "Reason",
        "Suggestion",
    ]
    assert [c.text for c in score_table.rows[2].cells] == [
        "Evidence",
        "1/2",
        "One source",
        "Add patient feedback",
    ]
    assert score_table.style.name == "Light Grid Accent 1"


def test_docx_omits_empty_sections() -> None:
    sparse = DraftContent(title="Sparse", problem_statement=PROBLEM, how_might_we="")
    empty_rubric = RubricScore(criteria=[])
    document = open_docx(render_docx(draft_record(), version_record(1, sparse, empty_rubric)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Problem statement"]
    assert document.tables == []


# -- end to end through the store ------------------------------------------------------------


@pytest.mark.slow  # the stored draft cites "Take Air case study": read by the name model
def test_exports_from_stored_versions(store: DraftStore, tmp_path: Path) -> None:
    alice = Actor("T1", "alice")
    draft = store.create_draft(alice, "Faster hearing aids", partners=["Acme Audiology"])
    add_version(store, alice, draft.id, full_content(), scorecard(), coach_mode="guided")
    version = store.latest_version(alice, draft.id)
    assert version is not None

    data = draft_as_dict(store.get_draft(alice, draft.id), store.versions(alice, draft.id))
    assert data["problem_statement"] == PROBLEM and data["versions"][0]["coach_mode"] == "guided"
    assert PROBLEM in render_markdown(draft, version)
    path = tmp_path / "brief.docx"
    path.write_bytes(render_docx(draft, version))
    assert PROBLEM in [p.text for p in docx.Document(str(path)).paragraphs]


# -- the format registry ---------------------------------------------------------------------


@pytest.mark.slow  # the draft cites "Take Air case study": read by the guard's name model
def test_every_format_renders_and_exports_the_same_bytes(store: DraftStore, tmp_path: Path) -> None:
    """A check that reads `render` sees exactly what the exported file holds, text cleaned the
    same way, and each file gets the suffix its format declares."""
    from bot.coaching.drafts_service import DraftsService
    from bot.drafts.answers import AnswerStore
    from bot.drafts.formats import EXPORT_FORMATS, export_format, format_names

    alice = Actor("T1", "alice")
    draft = store.create_draft(alice, "Bell\x07 and tab", partners=["Acme Audiology"])
    add_version(store, alice, draft.id, full_content(), scorecard(), coach_mode="guided")
    drafts = DraftsService(store, AnswerStore(store.db))
    for chosen in EXPORT_FORMATS:
        path = drafts.export(alice, draft.id, chosen.name, tmp_path / chosen.name)
        assert path.suffix == chosen.suffix
        rendered = drafts.render(alice, draft.id, chosen.name)
        if chosen.name == "docx":  # a .docx zip stamps its own save time: compare the words
            assert docx_text(path.read_bytes()) == docx_text(rendered)
        else:
            assert path.read_bytes() == rendered
    assert b"\x07" not in drafts.render(alice, draft.id, "md")
    assert export_format(".MD") is export_format("markdown") is EXPORT_FORMATS[0]
    assert export_format("pdf") is None and format_names() == "md or docx"


def docx_text(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_slack_names_the_formats_from_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slack's help and its "which format?" answer list what the registry declares, the default
    first, so a format added to `EXPORT_FORMATS` is offered in Slack without editing its words."""
    from bot.drafts import formats

    assert formats.format_menu("docx") == (
        "`docx` (a Word document, the default) or `md` (Markdown)"
    )
    assert formats.format_choices("docx") == "docx|md"
    pdf = formats.ExportFormat("pdf", ".pdf", "application/pdf", "a PDF", (), formats._markdown)
    monkeypatch.setattr(formats, "EXPORT_FORMATS", (*formats.EXPORT_FORMATS, pdf))
    assert formats.format_menu("md") == (
        "`md` (Markdown, the default), `docx` (a Word document) or `pdf` (a PDF)"
    )
    assert formats.format_choices("md") == "md|docx|pdf"
