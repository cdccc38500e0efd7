"""Checks that keep the knowledge base traceable, run by `make test` and `coach index --check`.

NHS staff quote what the coach cites in board papers and on the ABPI's public register, so every
document must say where its facts come from (a named source and, for case stories, a public URL),
when it was last checked, and, for a case, which part is reported fact and which is the
knowledge base's own lesson. Loading (`documents.py`) rejects files it cannot use; this goes
further and rejects files a reader could not verify.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import frontmatter
import yaml

from bot.retrieval.documents import discover, file_id, load_file

# Phrases that mark a source as a stand-in rather than a publication someone can look up.
PLACEHOLDER_SOURCES = re.compile(
    r"\b(?:undated|placeholder|tbc|tbd|todo|unknown source|lorem ipsum|"
    r"supplier-written|report on barriers|online reference|example\.(?:com|org))\b",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]*)\)")
_REPORTED = re.compile(r"\breported\b", re.IGNORECASE)
_LESSON = re.compile(r"\blessons?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One reason a file fails the check, worded for the person who has to fix it."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def well_formed_url(url: str) -> bool:
    """An absolute http(s) address with a dotted host and no spaces."""
    if not url or any(ch.isspace() for ch in url):
        return False
    parts = urlparse(url)
    return parts.scheme in ("http", "https") and "." in parts.netloc


def check_knowledge(
    root: Path, knowledge_dir: Path | None = None, today: date | None = None
) -> list[Problem]:
    """Every problem in every knowledge file under `root`, in path order."""
    knowledge_dir = knowledge_dir or root
    problems: list[Problem] = []
    for path in discover(root):
        problems += check_file(path, knowledge_dir, today=today)
    return problems


def check_file(path: Path, knowledge_dir: Path, today: date | None = None) -> list[Problem]:
    """The problems with one file; an empty list means it is fit to cite."""
    ident = file_id(path, knowledge_dir)
    try:
        knowledge = load_file(path, knowledge_dir)
    except (ValueError, OSError) as error:
        return [Problem(ident, str(error))]
    try:
        meta = frontmatter.loads(path.read_text(encoding="utf-8")).metadata
    except yaml.YAMLError:  # pragma: no cover - load_file has already parsed it
        meta = {}
    if not meta:
        return [Problem(ident, "no front matter (a plain note cannot be traced to a source)")]
    reasons: list[str] = []
    if not knowledge.tags:
        reasons.append("front matter lacks tags")
    if PLACEHOLDER_SOURCES.search(knowledge.source):
        reasons.append(f"source looks like a placeholder: {knowledge.source!r}")
    reasons += _url_reasons(meta.get("source_url"), required=knowledge.kind == "case")
    reasons += _reviewed_reasons(meta.get("reviewed"), today or date.today())
    sections = _sections(knowledge.body)
    reasons += [f"section '{title}' is empty" for title, text in sections if not text]
    if knowledge.kind == "case":
        titles = [title for title, _text in sections]
        if not any(_REPORTED.search(title) for title in titles):
            reasons.append("case has no 'Reported' section (what the sources say)")
        if not any(_LESSON.search(title) for title in titles):
            reasons.append("case has no 'Lesson' section")
    for target in _MD_LINK.findall(knowledge.body):
        if not well_formed_url(target):
            reasons.append(f"link is not a well-formed http(s) URL: {target!r}")
    return [Problem(ident, reason) for reason in reasons]


def _url_reasons(value: object, *, required: bool) -> list[str]:
    urls = _as_list(value)
    if not urls:
        return ["front matter lacks source_url (required for case files)"] if required else []
    return [f"source_url is not a well-formed URL: {u!r}" for u in urls if not well_formed_url(u)]


def _reviewed_reasons(value: object, today: date) -> list[str]:
    if value in (None, ""):
        return ["front matter lacks reviewed (the ISO date the content was last checked)"]
    try:
        when = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        return [f"reviewed is not an ISO date (YYYY-MM-DD): {value!r}"]
    if when > today:
        return [f"reviewed date {when.isoformat()} is in the future"]
    return []


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, Iterable):
        return [str(item).strip() for item in value if str(item).strip()]
    return [str(value)]


def _sections(body: str) -> list[tuple[str, str]]:
    """Each heading with the text under it, counting its sub-sections' text as its own."""
    lines = body.splitlines()
    headings = [(i, len(m[1]), m[2]) for i, line in enumerate(lines) if (m := _HEADING.match(line))]
    sections: list[tuple[str, str]] = []
    for n, (start, level, title) in enumerate(headings):
        end = next((i for i, lvl, _t in headings[n + 1 :] if lvl <= level), len(lines))
        text = "\n".join(
            line for line in lines[start + 1 : end] if line.strip() and not _HEADING.match(line)
        )
        sections.append((title, text.strip()))
    return sections
