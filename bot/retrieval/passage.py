"""Knowledge passages as the coach uses them, and readable excerpts of them.

`Passage` lives here, apart from the search that finds passages, so the coaching core can name
it without importing chromadb or torch.

Excerpts are whole sentences, no Markdown fragments.

A passage is a chunk of a Markdown file, so it can start mid-paragraph, carry list markers,
bold markers split by the chunker (`Test:** every partner…`) or a heading. Users read excerpts as
tips and side answers in a terminal, in Slack and in exported drafts, none of which render the
same Markdown, so an excerpt is plain prose: cleaned, cut at a sentence end, never mid-word.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_TABLE_ROW = re.compile(r"^\s*\|")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])")
_STRAY_MARKS = re.compile(r"\*{1,3}|(?<!\w)_{1,2}|_{1,2}(?!\w)|`")
# A sentence ends at . ! ? (optionally closed by a quote or bracket) before a capital or digit.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+(?=[\"'“‘(\[]?[A-Z0-9£])")
_ENDS_SENTENCE = re.compile(r"[.!?:][\"'”’)\]]*$")
HARD_LIMIT = 600


@dataclass(frozen=True)
class Passage:
    """One search result; `as_json()` is the stable shape of `coach ask --json`."""

    title: str
    source: str
    path: str
    heading: str
    kind: str
    score: float
    text: str
    source_urls: tuple[str, ...] = ()
    # The document's front-matter tags: the coach picks tips that fit a draft's partners by them.
    tags: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        """The document's first public source: the link a citation shows."""
        return self.source_urls[0] if self.source_urls else ""

    def as_json(self) -> dict[str, object]:
        """The stable shape: tags are the coach's own business, not part of it."""
        shape = asdict(self)
        shape.pop("tags")
        return shape


def plain_text(markdown: str) -> str:
    """Markdown as prose: headings and tables dropped, list items as sentences, marks removed."""
    lines: list[str] = []
    for raw in markdown.splitlines():
        if not raw.strip() or _HEADING.match(raw) or _TABLE_ROW.match(raw):
            continue
        line = _QUOTE.sub("", raw)
        is_item = bool(_LIST_MARKER.match(line))
        line = _LIST_MARKER.sub("", line).strip()
        line = _LINK.sub(r"\1", line)
        line = _EMPHASIS.sub(lambda m: m[2] or m[3], line)
        line = _STRAY_MARKS.sub("", line).strip()
        if is_item and line and not _ENDS_SENTENCE.search(line):
            line = line.rstrip(";,") + "."
        if line:
            lines.append(line)
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def excerpt(text: str, count: int = 2, limit: int = 320, *, markdown: bool = False) -> str:
    """The first `count` whole sentences that fit in `limit` characters (at least one).

    With `markdown`, the text is a knowledge passage: it is cleaned first, and a leading
    fragment (a chunk that starts mid-sentence) is skipped.
    """
    flat = plain_text(text) if markdown else re.sub(r"\s+", " ", text).strip()
    parts = sentences(flat)
    if markdown and len(parts) > 1 and not _starts_sentence(parts[0]):
        parts = parts[1:]
    chosen: list[str] = []
    for part in parts[:count]:
        if chosen and len(" ".join([*chosen, part])) > limit:
            break
        chosen.append(part)
    short = " ".join(chosen)
    if len(short) <= max(limit, HARD_LIMIT):
        return short
    return short[: HARD_LIMIT - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _starts_sentence(text: str) -> bool:
    first = text.lstrip("\"'“‘([")[:1]
    return first.isupper() or first.isdigit() or first == "£"
