"""Markdown-ish coach text to Slack mrkdwn, and splitting that respects Slack's limits.

Slack's mrkdwn is not Markdown: bold is *one* asterisk, links are <url|text>, there are no
headings or tables. Coach text uses *single* asterisks already; this fixes what may come from a
model (double asterisks, [text](url) links, # headings) and cuts long text at paragraph or line
boundaries so no section exceeds Slack's 3,000 characters.
"""

from __future__ import annotations

import re

SECTION_LIMIT = 3000
TEXT_LIMIT = 3900  # the plain `text` fallback of a message

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(text: str) -> str:
    text = escape(text)
    text = _LINK.sub(lambda m: f"<{m[2]}|{m[1]}>", text)
    text = _BOLD.sub(r"*\1*", text)
    return _HEADING.sub(r"*\1*", text)


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraphs, then lines, then words."""
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    current = ""
    for separator_block in _blocks(text, limit):
        if current and len(current) + 2 + len(separator_block) > limit:
            pieces.append(current)
            current = separator_block
        else:
            current = f"{current}\n\n{separator_block}" if current else separator_block
    if current:
        pieces.append(current)
    return pieces


def _blocks(text: str, limit: int) -> list[str]:
    out: list[str] = []
    for paragraph in text.split("\n\n"):
        if len(paragraph) <= limit:
            out.append(paragraph)
            continue
        line_group = ""
        for line in paragraph.split("\n"):
            while len(line) > limit:
                cut = line.rfind(" ", 0, limit)
                cut = cut if cut > limit // 2 else limit
                out.append(line[:cut])
                line = line[cut:].lstrip()
            if line_group and len(line_group) + 1 + len(line) > limit:
                out.append(line_group)
                line_group = line
            else:
                line_group = f"{line_group}\n{line}" if line_group else line
        if line_group:
            out.append(line_group)
    return out


def cut_on_word(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a space and ended with "…" when cut.

    Titles Slack shows (the panel's, a prompt's) read "…shared outcome…", never "…outcome measur".
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"
