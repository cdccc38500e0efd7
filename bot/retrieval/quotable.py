"""The sentences of a passage an answer may quote: whole, readable, and able to stand alone.

A passage is Markdown written to be read in order; an answer quotes a few of its sentences out of
order. So a list is kept with the sentence that introduces it, a list item's short label is
joined to what follows it, fragments, placeholders and illustrative examples are left out, and
a sentence cut where its chunk ended is never quoted.
"""

from __future__ import annotations

import re

from bot.retrieval.passage import plain_text, sentences

_PLACEHOLDER = re.compile(r"\[[^\]]*\]")


_MARKDOWN_LEFT = re.compile(r"\*\*|__|`|^#|\]\(|^\s*[-*+]\s|\|")


_ILLUSTRATIVE = re.compile(r"^illustrative only", re.IGNORECASE)


MIN_WORDS_IN_SENTENCE = 6


_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


MAX_WORDS_IN_LIST = 75  # a list joined to its introduction


# A sentence that itself lists things ("the principles are: justify…, use…, …") may run longer:
# cut, it would lose the very items asked for.
MAX_WORDS_IN_LISTING_SENTENCE = 85


def answer_sentences(text: str) -> list[str]:
    """The sentences of a passage an answer may quote: whole, readable, no placeholders.

    A list is kept with the sentence that introduces it ("The Code asks for three things:
    a, b; c."), because a list's items read alone answer nothing, and a question such as "what
    goes in an agreement" is answered by the list, not by one item.
    """
    if _ILLUSTRATIVE.match(plain_text(text)[:40]):
        return []
    units: list[str] = []
    for prose, items in _segments(text):
        parts = sentences(plain_text(prose)) if prose.strip() else []
        heading = _last_heading(prose)
        if items and heading:
            parts.append(heading + ":")  # a list straight under its heading ("Results")
        if items and parts and parts[-1].endswith(":"):
            joined, shortened = _joined_list(parts[-1], items)
            if joined:
                parts[-1] = joined
            if not joined or shortened:
                # the labels alone name the items; what each item says is kept too, so "what
                # is Disclosure UK?" finds "Disclosure UK: an ABPI-run, searchable database…"
                parts += [s for item in items for s in _item_sentences(item)]
        elif items:
            parts += [s for item in items for s in _item_sentences(item)]
        units += [s for s in parts if _readable(s)]
    return units


LABEL_WORDS = 10  # a list item's first sentence this short, with more after it, is its label


_LABELLED_ALREADY = re.compile(r"[:?]")  # "Disclosure UK: an ABPI-run database…" says its piece


def _item_sentences(item: str) -> list[str]:
    """A list item's sentences, each readable alone. An item that opens with a short label
    ("Treating a deal with one clinician as a partnership. Clause 20.1 describes…", "**Use
    existing data first.** Routine data often…") has the label joined to what follows, since
    the label alone is a fragment and what follows alone has lost its point."""
    said = [_standalone(s) for s in sentences(plain_text(item))]
    label = said[0] if said else ""
    if len(said) >= 2 and len(label.split()) <= LABEL_WORDS and not _LABELLED_ALREADY.search(label):
        merged = f"{said[0].rstrip('.:!')}: {in_list(said[1])}"
        if len(merged.split()) <= MAX_WORDS_IN_LIST:
            return [merged, *said[2:]]
    return said


def _standalone(item: str) -> str:
    """A list item as a sentence of its own: "check that accepting it does not favour one
    supplier;" read after its introduction becomes "Check that … supplier." Left lower-case, an
    item too long to join to its introduction would be taken for a fragment and never quoted."""
    item = item.rstrip(" ;,")
    if item[:1].islower():
        item = item[0].upper() + item[1:]
    return item if item.endswith((".", "?", "!", ":")) else item + "."


def _segments(markdown: str) -> list[tuple[str, list[str]]]:
    """The text as (prose, the list that follows it) pairs, in order."""
    segments: list[tuple[str, list[str]]] = []
    prose: list[str] = []
    items: list[str] = []
    for line in markdown.splitlines():
        if _LIST_ITEM.match(line):
            items.append(line)
        elif items and line.startswith((" ", "\t")) and line.strip():
            items[-1] += " " + line.strip()  # an item continued on the next line
        else:
            if items:
                segments.append(("\n".join(prose), items))
                prose, items = [], []
            prose.append(line)
    segments.append(("\n".join(prose), items))
    return segments


def _joined_list(intro: str, items: list[str]) -> tuple[str, bool]:
    """'Intro: a; b; c.' when it stays a readable length, else '' (the items stand alone),
    and whether the items were shortened to their labels to fit.

    Items that open with a bold label ("**What are we trying to accomplish?** The answer…")
    are shortened to their labels when the whole items would be too long.
    """
    for shorten in (False, True):
        cleaned = [plain_text(_label(item) if shorten else item) for item in items]
        cleaned = [c.rstrip(" .;,:") for c in cleaned]
        cleaned = [in_list(c) for c in cleaned if c]
        joined = f"{intro} {'; '.join(cleaned)}"
        joined += "" if joined.endswith(("?", "!")) else "."
        if len(joined.split()) <= MAX_WORDS_IN_LIST:
            return joined, shorten
    return "", False


def in_list(item: str) -> str:
    """An item as it reads after a colon: a capital lowered only where it just opens a
    sentence ("Exit strategy" → "exit strategy"; "Plan-Do-Study-Act", "Data Security and
    Protection Toolkit" and "NHS" kept)."""
    words = item.split()
    first = words[0]
    name = first[1:] != first[1:].lower() or (len(words) > 1 and words[1][:1].isupper())
    return item if name or not first[:1].isupper() else item[0].lower() + item[1:]


def _label(item: str) -> str:
    """A list item's bold label ("**Certification:** …" gives "Certification:"), or the item."""
    match = _LABEL.match(item)
    return match[1] if match else item


_LABEL = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+\*\*(.+?)\*\*")


_HEADING_LINE = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def _last_heading(prose: str) -> str:
    """The heading a block of Markdown ends with, if its last line is one."""
    lines = [line for line in prose.splitlines() if line.strip()]
    match = _HEADING_LINE.match(lines[-1]) if lines else None
    return plain_text(match[1]) if match else ""


def _readable(sentence: str) -> bool:
    words = sentence.split()
    listing = sentence.count(",") >= 5 or sentence.count(";") >= 2
    longest = MAX_WORDS_IN_LISTING_SENTENCE if listing else MAX_WORDS_IN_LIST
    if not MIN_WORDS_IN_SENTENCE <= len(words) <= longest:
        return False
    opening = sentence.lstrip("\"'“‘(")[:1]
    if not (opening.isupper() or opening.isdigit() or opening == "£"):
        return False  # a chunk that starts mid-sentence
    if not sentence.rstrip("\"'”’)").endswith((".", "!", "?", ":")):
        return False  # cut where its passage was (a chunk can end mid-sentence: "aligns with")
    asks = sentence.endswith("?") and "; " not in sentence  # a list of questions is kept
    if (
        sentence.endswith(":")
        or asks
        or (_PLACEHOLDER.search(sentence) and not gives_form(sentence))
    ):
        return False
    if (
        _MARKDOWN_LEFT.search(sentence)
        or sentence.count('"') % 2
        or sentence.count("“") > (sentence.count("”"))
    ):
        return False
    return not _ILLUSTRATIVE.match(sentence)


_QUOTATION = re.compile(r'"([^"]*)"|“([^”]*)”')


_FORM_WORDS = re.compile(r"\b(?:form|template|pattern|formula|structure)\b", re.IGNORECASE)


MAX_WORDS_IN_FORM = 25


def gives_form(sentence: str) -> bool:
    """Whether a sentence's brackets are the slots of a form it names ("the d.school gives
    the form "[user] needs to [user's need] because [insight]""): what "what is a point-of-view
    statement" asks for. A filled-in example or a draft with gaps left ("Patients in [area]
    wait…") is not a form, and still never quoted."""
    quoted = [a or b for a, b in _QUOTATION.findall(sentence)]
    forms = [q for q in quoted if len(_PLACEHOLDER.findall(q)) >= 2]
    if len(forms) != 1 or len(forms[0].split()) > MAX_WORDS_IN_FORM:
        return False
    outside = _QUOTATION.sub(" ", sentence)
    return not _PLACEHOLDER.search(outside) and bool(_FORM_WORDS.search(outside))
