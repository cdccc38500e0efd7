"""A normalised view of a message for matching, with every character mapped back to the original.

People write identifiers every way a keyboard (or a copy from a PDF) allows: full-width digits,
zero-width spaces inside a number, en-dashes, non-breaking or double spaces, tabs. Rather than
teach every pattern every variant, the recognisers run on one canonical view:

* each character is NFKC-normalised (full-width and other compatibility forms become ASCII);
* invisible format characters (zero-width space/joiners, word joiner, BOM, soft hyphen and the
  rest of Unicode category Cf) and control characters other than tab and line breaks are dropped,
  so "943<NUL>476<NUL>5919" is read the way it reads once a later step strips the NULs;
* every dash (category Pd, minus signs) becomes "-", slash look-alikes "/", dot look-alikes ".";
* every whitespace character except line breaks becomes a space, and runs of spaces collapse to
  one;
* every Unicode decimal digit (Arabic-Indic, Persian, Devanagari ...) becomes its ASCII digit,
  because a number is the same number in any script;
* "%40" and "&#64;" (an "@" escaped for a URL or a web page) become "@";
* inside a token made only of digits and the letters O, o, l and I (with at least one real
  digit), those letters become 0 and 1: "698 7OO 9856" is a number typed with the wrong key.

Redaction must replace what the user actually typed, so :class:`View` keeps, for every view
character, the span of original characters it came from; :meth:`View.original_span` turns a match
in the view back into the original offsets (covering any dropped characters inside it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["View", "normalise"]

_DASHES = {"\u2212", "\u2043", "\ufe63", "\uff0d", "\u2e3a", "\u2e3b"}
_SLASHES = {"\u2044", "\u2215", "\u29f8", "\uff0f"}
_DOTS = {"\u00b7", "\u2027", "\u30fb", "\u2219", "\u22c5", "\uff0e", "\u2024"}
_QUOTES = {"\u2018", "\u2019", "\u02bc", "\uff07"}
# Whitespace that is not a line break. Line breaks are kept: they end clauses, and the name and
# date-of-birth rules look for cues within a clause.
_LINE_BREAKS = {"\n", "\r", "\u2028", "\u2029", "\x85"}


@dataclass(frozen=True)
class View:
    """The normalised text plus, per view character, the original span it stands for."""

    text: str
    starts: tuple[int, ...] | None  # None: the view is the original, character for character
    ends: tuple[int, ...] | None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of view characters ``start:end`` (end exclusive, non-empty span)."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def _canonical(ch: str) -> str:
    """The view characters for one original character ('' to drop it)."""
    if ch in _LINE_BREAKS:
        return "\n"
    if ch.isspace():
        return " "
    category = unicodedata.category(ch)
    if category in ("Cf", "Cc"):
        return ""
    if category == "Pd" or ch in _DASHES:
        return "-"
    if ch in _SLASHES:
        return "/"
    if ch in _DOTS:
        return "."
    if ch in _QUOTES:
        return "'"
    if not ch.isascii() and (digit := unicodedata.decimal(ch, None)) is not None:
        return str(digit)
    folded = unicodedata.normalize("NFKC", ch)
    if folded == ch:
        return ch
    return "".join(_canonical(c) if c != ch else c for c in folded)


_NOT_PLAIN_ASCII = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]|  ")


def _is_plain(text: str) -> bool:
    """True when the view would equal the text: ASCII with single spaces and no other blanks."""
    return text.isascii() and _NOT_PLAIN_ASCII.search(text) is None


# Characters that the view changes or drops; everything else maps to itself one to one.
_SPECIAL = re.compile(r"[^\x20-\x7e\n]|  +|%40|&#0*64;", re.IGNORECASE)
_ESCAPED_AT = re.compile(r"%40|&#0*64;", re.IGNORECASE)
# A token of digits and digit look-alikes with at least one real digit and one look-alike.
_LOOKALIKE_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?=[OolI]*[0-9])(?=[0-9]*[OolI])[0-9OolI]{2,}(?![A-Za-z0-9])", re.ASCII
)
_LOOKALIKE_DIGITS = str.maketrans("OolI", "0011")


def _read_lookalikes(text: str) -> str:
    """`text` with O/o/l/I read as digits inside digit tokens (same length, so maps still hold)."""
    if not _LOOKALIKE_TOKEN.search(text):
        return text
    return _LOOKALIKE_TOKEN.sub(lambda m: m.group(0).translate(_LOOKALIKE_DIGITS), text)


def normalise(text: str) -> View:
    """The canonical matching view of `text` (see the module docstring)."""
    if _is_plain(text) and "%" not in text and "&#" not in text:
        return View(_read_lookalikes(text), None, None)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cursor = 0

    def copy(stop: int) -> None:
        """Copy text[cursor:stop] unchanged in one step: most of a message is plain ASCII."""
        start = cursor
        if start < stop and text[start] == " " and out and out[-1].endswith(" "):
            ends[-1] = start + 1  # the space continues a blank run that was collapsed
            start += 1
        if start < stop:
            out.append(text[start:stop])
            starts.extend(range(start, stop))
            ends.extend(range(start + 1, stop + 1))

    for match in _SPECIAL.finditer(text):
        copy(match.start())
        if _ESCAPED_AT.fullmatch(match.group(0)):
            out.append("@")
            starts.append(match.start())
            ends.append(match.end())
            cursor = match.end()
            continue
        for index in range(match.start(), match.end()):
            ch = text[index]
            canonical = _canonical(ch)
            if ch == "\r" and text.startswith("\n", index + 1):
                canonical = ""  # CRLF is one line break
            for piece in canonical:
                if piece == " " and out and out[-1].endswith(" "):
                    ends[-1] = index + 1  # a run of blanks is one space covering all of them
                    continue
                out.append(piece)
                starts.append(index)
                ends.append(index + 1)
        cursor = match.end()
    copy(len(text))
    return View(_read_lookalikes("".join(out)), tuple(starts), tuple(ends))
