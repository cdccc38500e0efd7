"""Export formats, each declared once: its name, file suffix, MIME type, words and renderer.

Every adapter (`coach drafts export`, the console's /export, Slack's /statement export and its
Word button, the drafts service) lists and calls formats through `EXPORT_FORMATS`, so adding a
format is one entry here and its renderer in `bot/drafts/export.py`. The module is light: the
renderers (python-docx) load only when a file is rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.textsafety import clean_text

if TYPE_CHECKING:  # only types here: `coach --help` lists the formats without loading pydantic
    from bot.drafts.records import DraftRecord, VersionRecord

Renderer = Callable[["DraftRecord", "VersionRecord | None"], bytes]


def _markdown(draft: DraftRecord, version: VersionRecord | None) -> bytes:
    from bot.drafts.export import render_markdown

    return clean_text(render_markdown(draft, version)).encode("utf-8")


def _word(draft: DraftRecord, version: VersionRecord | None) -> bytes:
    from bot.drafts.export import render_docx

    return render_docx(draft, version)


@dataclass(frozen=True)
class ExportFormat:
    """One way to export a draft."""

    name: str  # what users type: `--format md`, `/export docx`
    suffix: str  # the file's suffix, with its dot
    mime_type: str
    described: str  # how a sentence names it: "Sent … as a Word document"
    aliases: tuple[str, ...]  # other words accepted for it ("word", "markdown")
    render: Renderer  # the bytes written to the file: the same for a file and for a check


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("md", ".md", "text/markdown", "Markdown", ("markdown",), _markdown),
    ExportFormat(
        "docx",
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "a Word document",
        ("word",),
        _word,
    ),
)


def export_format(word: str) -> ExportFormat | None:
    """The format a user's word names ("docx", ".md", "Word"), or None."""
    wanted = word.strip().lower().lstrip(".")
    for candidate in EXPORT_FORMATS:
        if wanted == candidate.name or wanted in candidate.aliases:
            return candidate
    return None


def require_format(word: str) -> ExportFormat:
    """The format `word` names; ValueError listing the formats otherwise."""
    chosen = export_format(word)
    if chosen is None:
        raise ValueError(f"unknown export format {word!r}: use {format_names()}")
    return chosen


def format_names(joiner: str = " or ") -> str:
    """The format names for a hint: "md or docx"."""
    return _listed([f.name for f in EXPORT_FORMATS], joiner)


def format_menu(default: str) -> str:
    """The formats for a Slack hint, the default first and each named in words.

    "`docx` (a Word document, the default) or `md` (Markdown)": Slack's help and its
    "which format?" answer read this, so a format added above reaches them too.
    """
    ordered = sorted(EXPORT_FORMATS, key=lambda f: f.name != default)
    parts = [
        f"`{f.name}` ({f.described}{', the default' if f.name == default else ''})" for f in ordered
    ]
    return _listed(parts, " or ")


def format_choices(default: str) -> str:
    """The format names for a usage line, the default first: "docx|md"."""
    return "|".join(sorted((f.name for f in EXPORT_FORMATS), key=lambda name: name != default))


def _listed(parts: list[str], joiner: str) -> str:
    """Parts as a sentence lists them: "a, b or c"."""
    return ", ".join(parts[:-1]) + joiner + parts[-1] if len(parts) > 1 else parts[0]
