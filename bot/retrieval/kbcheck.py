"""Checks that keep the knowledge base traceable, run by `make test` and `coach index --check`.

NHS staff quote what the coach cites in board papers and on the ABPI's public register, so every
document must say where its facts come from (a named source and, for case stories, a public URL),
when it was last checked, and, for a case, which part is reported fact and which is the
knowledge base's own lesson. Loading (`documents.py`) rejects files it cannot use; this goes
further and rejects files a reader could not verify.

Some things are worth a warning rather than a failure: a document last checked more than twelve
months ago may still be right but is due a fresh check (rules and organisations change yearly),
and a figure in a case story with no checkable source is exactly what gets quoted to a board, so
each such sentence is named. Warnings never change the exit code, so a team can keep indexing
while it works through them.
"""

from __future__ import annotations

import calendar
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
_INTERPRETATION = re.compile(r"\binterpretation\b", re.IGNORECASE)
_NOT_REPORTED = re.compile(r"\(not reported\)", re.IGNORECASE)
# A figure a reader might quote: a count, share, amount or year ("1,928", "65.4%", "£67m", "2014"),
# not a digit buried in a name such as "DCB0129" or "Core20PLUS5".
_FIGURE = re.compile(r"(?<![\w.])[£$€]?\d[\d,]*(?:\.\d+)?(?:%|\s?(?:m|bn|k)\b)?(?![\w])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(*])")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
STALE_AFTER_MONTHS = 12


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


def warn_knowledge(
    root: Path, knowledge_dir: Path | None = None, today: date | None = None
) -> list[Problem]:
    """Every warning for every loadable knowledge file under `root`, in path order."""
    knowledge_dir = knowledge_dir or root
    warnings: list[Problem] = []
    for path in discover(root):
        warnings += warn_file(path, knowledge_dir, today=today)
    return warnings


def warn_file(path: Path, knowledge_dir: Path, today: date | None = None) -> list[Problem]:
    """What a reader should know about a file that passes: due a re-check, or unsourced figures.

    A file that cannot be loaded has no warnings here; `check_file` already names it.
    """
    ident = file_id(path, knowledge_dir)
    try:
        knowledge = load_file(path, knowledge_dir)
    except (ValueError, OSError):
        return []
    reasons: list[str] = []
    reviewed = _reviewed_date(knowledge.reviewed)
    cutoff = _months_before(today or date.today(), STALE_AFTER_MONTHS)
    if reviewed is not None and reviewed < cutoff:
        reasons.append(
            f"last reviewed {reviewed.isoformat()}, more than {STALE_AFTER_MONTHS} months ago: "
            "check it against its sources again and update `reviewed`"
        )
    if knowledge.kind == "case":
        sections = _sections(knowledge.body)
        reasons += [
            f"section '{title}' is interpretation: title it 'Interpretation (not reported)'"
            for title, _text in sections
            if _INTERPRETATION.search(title) and not _NOT_REPORTED.search(title)
        ]
        if not _has_checkable_source(knowledge.source, knowledge.source_urls):
            reasons += [
                f"figure with no source in front matter: {_excerpt(sentence)!r}"
                for sentence in figure_sentences(knowledge.body)
            ]
    return [Problem(ident, reason) for reason in reasons]


def figure_sentences(body: str) -> list[str]:
    """The sentences of a Markdown body that state a figure, headings left out."""
    found: list[str] = []
    for line in body.splitlines():
        if not line.strip() or _HEADING.match(line):
            continue
        text = _LIST_MARK.sub("", line).strip()
        found += [s.strip() for s in _SENTENCE_END.split(text) if _FIGURE.search(s)]
    return found


def _has_checkable_source(source: str, urls: tuple[str, ...]) -> bool:
    """A named, non-placeholder source with at least one address a reader can open."""
    named = bool(source.strip()) and not PLACEHOLDER_SOURCES.search(source)
    return named and any(well_formed_url(url) for url in urls)


def _excerpt(sentence: str, limit: int = 90) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _reviewed_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None  # check_file reports it


def _months_before(day: date, months: int) -> date:
    """The same day `months` earlier, or the month's last day when that day does not exist."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


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
