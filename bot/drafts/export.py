"""Turn a draft and its versions into JSON, Markdown and Word for a partnership meeting.

Markdown and .docx are rendered from the draft's one outline (`bot/drafts/outline.py`, shared
with Slack and the console), so no format can disagree about which sections exist, their order
or their wording, and an empty section is dropped in one place rather than in each renderer.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.document import Document as DocxDocument

from bot.drafts.content import DraftContent, RubricScore
from bot.drafts.formats import require_format
from bot.drafts.outline import Block, Bullets, Paragraph, Scores, Section, Sources, Table, outline
from bot.drafts.records import Actor, DraftRecord, VersionRecord
from bot.privacy import redact_model, redact_text
from bot.private_files import private_dir, write_private
from bot.textsafety import clean_text

if TYPE_CHECKING:
    from bot.drafts.repository import DraftStore

TABLE_STYLE = "Light Grid Accent 1"


# -- JSON ------------------------------------------------------------------------------------


def draft_as_dict(draft: DraftRecord, versions: list[VersionRecord]) -> dict[str, Any]:
    """The `coach drafts show --json` document: content from the latest version, plus history.

    Before the coach has produced a version the content keys are present but empty, so scripts
    consuming the JSON never need to special-case a brand-new draft.
    """
    draft, _ = _guarded(draft, None)
    ordered = sorted((_guarded_version(v) for v in versions), key=lambda v: v.number)
    latest = ordered[-1] if ordered else None
    content = latest.content if latest else None
    return {
        "id": draft.id,
        "title": draft.title,
        "owner": draft.owner_id,
        "stage": draft.question_key,
        "status": draft.status,
        "partners": _partners(draft, latest),
        "problem_statement": content.problem_statement if content else "",
        "how_might_we": content.how_might_we if content else "",
        "value_proposition": [_party_dict(p) for p in content.value_proposition] if content else [],
        "evidence": list(content.evidence) if content else [],
        "measures": list(content.measures) if content else [],
        "scope": content.scope if content else "",
        "risks": content.risks if content else "",
        "checklist": [c.model_dump() for c in content.checklist] if content else [],
        "sources": [s.model_dump() for s in content.sources] if content else [],
        "rubric": _rubric_rows(latest.rubric) if latest else [],
        "score": latest.rubric.percent if latest else None,
        "versions": [_version_dict(v) for v in ordered],
    }


def _guarded(
    draft: DraftRecord, version: VersionRecord | None
) -> tuple[DraftRecord, VersionRecord | None]:
    """The draft and version as every export renders them: each user-derived string guarded.

    An export leaves the system (meeting packs, e-mail), so it is guarded at render even though
    text was guarded on the way in: a version stored before the guard learned a format must not
    leak through an export. Citations of the knowledge base are kept as they are (their links
    must work); the Markdown renderer also guards its final text, after its own formatting.
    """
    draft = replace(
        draft,
        title=redact_text(draft.title),
        partners=[redact_text(p) for p in draft.partners],
        partner_type=redact_text(draft.partner_type),
        area_of_care=redact_text(draft.area_of_care),
    )
    return draft, None if version is None else _guarded_version(version)


def _guarded_version(version: VersionRecord) -> VersionRecord:
    """One version's content and rubric guarded (see `_guarded`), citations kept as they are."""
    return replace(
        version,
        content=redact_model(version.content, keep=("sources",)),
        rubric=redact_model(version.rubric),
    )


def _party_dict(party: Any) -> dict[str, Any]:
    return {
        "party": party.party,
        "value": party.value,
        "jobs": list(party.jobs),
        "pains": list(party.pains),
        "gains": list(party.gains),
    }


def _rubric_rows(rubric: RubricScore) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "name": c.name,
            "score": c.score,
            "reason": c.reason,
            "suggestion": c.suggestion,
        }
        for c in rubric.criteria
    ]


def _version_dict(version: VersionRecord) -> dict[str, Any]:
    return {
        "number": version.number,
        "created_at": version.created_at.isoformat(),
        "coach_mode": version.coach_mode,
        "model": version.model,
        "prompt_versions": dict(version.prompt_versions),
        "score": version.rubric.percent,
        "prompt_tokens": version.prompt_tokens,
        "completion_tokens": version.completion_tokens,
    }


def _partners(draft: DraftRecord, version: VersionRecord | None) -> list[str]:
    """The coach's latest partner list, falling back to what was given at creation."""
    if version and version.content.partners:
        return list(version.content.partners)
    return list(draft.partners)


# -- outline shared by Markdown and Word ---------------------------------------------------


def _outline(content: DraftContent, rubric: RubricScore | None) -> list[Section]:
    """The draft's one outline (shared with Slack and the console), in the forms a document
    prints: the scorecard as a table with its overall line, citations as a list."""
    return [
        Section(section.heading, tuple(b for block in section.blocks for b in _printable(block)))
        for section in outline(content, rubric)
    ]


def _printable(block: Block) -> tuple[Paragraph | Bullets | Table, ...]:
    if isinstance(block, Scores):
        return (block.table, Paragraph(block.overall))
    if isinstance(block, Sources):
        return (Bullets(tuple(f"{s.where} — {s.link}" for s in block.citations)),)
    return (block,)


def _byline(draft: DraftRecord, version: VersionRecord | None) -> list[str]:
    """The lines under the title: who is in the partnership and which version this is."""
    lines = []
    partners = _partners(draft, version)
    if partners:
        lines.append(f"Partners: {', '.join(partners)}")
    when = version.created_at if version else draft.updated_at
    date = f"{when.day} {when:%B %Y}"
    lines.append(f"Date: {date} · Version {version.number}" if version else f"Date: {date}")
    return lines


def _sections(version: VersionRecord | None) -> list[Section]:
    return _outline(version.content, version.rubric) if version else []


# -- Markdown --------------------------------------------------------------------------------


def render_markdown(draft: DraftRecord, version: VersionRecord | None) -> str:
    """A one-page Markdown brief, readable as plain text and in Slack or GitHub."""
    draft, version = _guarded(draft, version)
    parts = [f"# {draft.title}", "  \n".join(_byline(draft, version))]
    for section in _sections(version):
        parts.append(f"## {section.heading}")
        parts.extend(_markdown_block(block) for block in section.blocks)
    # Guarded once more as a whole: table cells collapse line breaks, which could join digits.
    return redact_text("\n\n".join(parts) + "\n")


def _markdown_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return block.text
    if isinstance(block, Bullets):
        return "\n".join(f"- {item}" for item in block.items)
    if isinstance(block, Table):
        header = "| " + " | ".join(block.headers) + " |"
        rule = "|" + "|".join("---" for _ in block.headers) + "|"
        rows = ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
        return "\n".join([header, rule, *rows])
    # A scorecard or citations: `_outline` has already made these printable; this keeps it so.
    return "\n\n".join(_markdown_block(printable) for printable in _printable(block))


def _cell(text: str) -> str:
    """Keep a table cell on one line and stop a stray pipe from splitting it."""
    return " ".join(text.split()).replace("|", "\\|")


# -- Word ------------------------------------------------------------------------------------


def render_docx(draft: DraftRecord, version: VersionRecord | None) -> bytes:
    """The same brief as a .docx, using Word's built-in heading, list and table styles.

    Every string passes `clean_text`: Word's XML cannot hold NUL or most control characters,
    and a draft stored before text was cleaned on the way in must still export.
    """
    draft, version = _guarded(draft, version)
    document = Document()
    document.core_properties.title = clean_text(draft.title)
    document.add_heading(clean_text(draft.title), level=0)
    for line in _byline(draft, version):
        document.add_paragraph(clean_text(line))
    for section in _sections(version):
        document.add_heading(clean_text(section.heading), level=1)
        for block in section.blocks:
            _docx_block(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_block(document: DocxDocument, block: Block) -> None:
    if isinstance(block, Paragraph):
        document.add_paragraph(clean_text(block.text))
    elif isinstance(block, Bullets):
        style = "List Bullet" if block.bulleted else None
        for item in block.items:
            document.add_paragraph(clean_text(item), style=style)
    elif isinstance(block, Table):
        _docx_table(document, block)


def _docx_table(document: DocxDocument, block: Table) -> None:
    table = document.add_table(rows=1, cols=len(block.headers))
    table.style = TABLE_STYLE
    for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(clean_text(header)).bold = True
    for row in block.rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = clean_text(value)


# -- files -----------------------------------------------------------------------------------


def export_to_file(
    store: DraftStore,
    actor: Actor,
    draft_id: str,
    fmt: str,
    folder: Path,
    output: Path | None = None,
) -> Path:
    """Write the latest version in the format `fmt` names (`bot.drafts.formats`), checking
    access first.

    The file is owner-only (0600), and so is the exports folder: a brief is a working paper.
    """
    chosen = require_format(fmt)
    draft = store.get_draft(actor, draft_id)
    version = store.latest_version(actor, draft_id)
    suffix = f"-v{version.number}" if version else ""
    if output is None:
        private_dir(folder)
    path = output or folder / f"{draft.id}{suffix}{chosen.suffix}"
    write_private(path, chosen.render(draft, version))
    return path
