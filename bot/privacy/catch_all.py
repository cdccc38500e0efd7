"""The catch-all layer: numbers found by what they are, not by how they are written.

The recognisers in :mod:`bot.privacy.recognisers` know the ways people usually print an NHS
number. People also write "790-873 3522", "(663) 453 3954", "468,778,4240", "522 466 923 5" or put
an emoji between the groups. Rather than add a pattern per habit, this layer reads *digit
chains*: whole groups of digits joined by any short run of characters that are neither letters
nor digits (space, punctuation, emoji, a line break). In a chain:

* any ten consecutive digits made of whole groups, within a short window, that pass Modulus 11
  are an NHS number, unless a label right before them says they are something else (a purchase
  order, invoice or order number, an ODS code);
* any run of 9 to 12 digits next to a patient or record cue ("patient", "NHS", "record",
  "MRN", "hospital no") is removed whatever its check digit: nobody needs a patient's record
  number to agree a problem statement.

Figures in planning text are safe from the first rule because the window is short and the
chain stops at any letter: "1,928 patients and 12 practices" is two chains of one group each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.privacy.recognisers import Candidate
from bot.privacy.result import IdentifierKind
from bot.privacy.validators import is_plausible_chi_number, is_valid_nhs_number

__all__ = ["OTHER_NUMBER_LABEL", "digit_chain_candidates", "labelled_as_other_number"]

_GROUP = re.compile(r"[0-9]+", re.ASCII)
# Between two groups of one chain: a short run of anything but letters, digits and the signs
# that make a figure a figure (per cent, currency, plus, a ratio's or a time's colon, "=").
_JOIN = re.compile(r"[^A-Za-z0-9%£$€+:=]{1,3}", re.ASCII)
_WINDOW = 24  # characters ten digits may spread over, separators included

# Labels that say a number is not a patient's: "PO 4500123458", "invoice no. 3958310483",
# "ODS code Y01234". Looked for right before the number only.
OTHER_NUMBER_LABEL = re.compile(
    r"(?<![A-Za-z])(?:P\.?O\.?|purchase order|order|invoice|inv|requisition|req|ODS(?: code)?"
    r"|org(?:anisation)? code|supplier|vendor|contract|tender|batch|lot|serial|sku|account"
    r"|a/c|sort code|ticket|incident|case ref|job|quote|quotation|cost cent(?:re|er)|budget code"
    r"|grant|charity(?: number| no)?|company(?: number| no)?|registration)"
    r"(?: ?(?:no\.?|number|num|ref(?:erence)?|code|id|#))?[ .:#-]*$",
    re.ASCII | re.IGNORECASE,
)
_PATIENT_LABEL = re.compile(r"(?<![A-Za-z])(?:nhs|patient|pt|chi)(?![A-Za-z])", re.ASCII | re.I)

# Cues that make a 9-12 digit run a record number whatever its check digit.
_RECORD_CUE_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:nhs|patient(?:'s)?|pt|record|records|medical record|hospital|hosp|mrn"
    r"|unit|case|chi|client|resident|service user|identifier|id)"
    r"(?: ?(?:no\.?|nos\.?|number|num|#|id|ref(?:erence)?|is|was))*[ .:#=()-]*$",
    re.ASCII | re.IGNORECASE,
)
_RECORD_CUE_AFTER = re.compile(
    r"^[ )\]]*(?:\(?(?:nhs|patient|record|mrn|hospital) ?(?:no|number|id)?\b)",
    re.ASCII | re.IGNORECASE,
)


def labelled_as_other_number(text: str, start: int) -> bool:
    """True when the words right before ``text[start:]`` label it as a non-patient number."""
    before = text[max(0, start - 30) : start]
    return OTHER_NUMBER_LABEL.search(before) is not None and not _PATIENT_LABEL.search(before)


def _links(text: str, end: int, start: int) -> bool:
    """Whether the gap ``text[end:start]`` joins two digit groups into one chain.

    A comma or semicolon followed by a space separates the items of a list ("wards 12, 14, 15"),
    not the groups of one number.
    """
    if _JOIN.fullmatch(text, end, start) is None:
        return False
    gap = text[end:start]
    return ";" not in gap and ", " not in gap


def _chains(text: str) -> Iterator[list[tuple[int, int]]]:
    """Runs of digit groups joined by short non-letter, non-digit gaps."""
    chain: list[tuple[int, int]] = []
    for match in _GROUP.finditer(text):
        if chain and _links(text, chain[-1][1], match.start()):
            chain.append(match.span())
            continue
        if chain:
            yield chain
        chain = [match.span()]
    if chain:
        yield chain


def _glued_to_letters(text: str, start: int, end: int) -> bool:
    """A chain stuck to letters is a code ("RXH4417829", "B12"), not a bare number."""
    return (start > 0 and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha())


def _has_record_cue(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40) : start]
    line_start = before.rfind("\n")
    if line_start >= 0:
        before = before[line_start + 1 :]
    return bool(_RECORD_CUE_BEFORE.search(before) or _RECORD_CUE_AFTER.match(text, end))


_DATE_IN_CHAIN = re.compile(
    r"(?<![0-9])(?:[0-9]{1,2}([/.-])[0-9]{1,2}\1(?:19|20)?[0-9]{2}|(?:19|20)[0-9]{2}([/.-])[0-9]{1,2}"
    r"\2[0-9]{1,2})(?![0-9])",
    re.ASCII,
)


def _is_figure(text: str, chain: list[tuple[int, int]], i: int, j: int) -> bool:
    """Whether groups i..j read as a figure, a list, a date or part of a decimal, not a number.

    "1,234,567,890" (thousands), "£4 500 123 458" (money), "0.0123456789" (a decimal),
    "01/04/2024-31/03/2025" (dates), "12 15 18 20 24" (a list: five groups of two) are figures.
    An NHS number is printed in at most four groups, or digit by digit.
    """
    sizes = [e - s for s, e in chain[i : j + 1]]
    if len(sizes) > 4 and max(sizes) > 1:
        return True
    joins = {text[chain[k][1] : chain[k + 1][0]] for k in range(i, j)}
    if len(sizes) == 2 and joins <= {".", ","}:
        return True  # "4.010232137", "12,3456789012": a decimal or a figure
    if len(joins) == 1 and joins <= {",", ".", " "} and all(size == 3 for size in sizes[1:]):
        return len(sizes) > 1 and sizes[0] <= 3 and joins != {" "}
    lo, hi = chain[i][0], chain[j][1]
    if lo > 0 and text[lo - 1] in "£$€":
        return True
    for k in (i - 1, j):  # the gaps just outside the window
        if 0 <= k < len(chain) - 1 and text[chain[k][1] : chain[k + 1][0]] in (".", ","):
            return True
    start, end = chain[0][0], chain[-1][1]
    return any(m.start() < hi and lo < m.end() for m in _DATE_IN_CHAIN.finditer(text, start, end))


def _record_kind(value: str, digits: int) -> IdentifierKind:
    """What a number next to a record cue is reported as: an NHS or CHI number when it is one."""
    if digits != 10:
        return "hospital_number"
    if not is_valid_nhs_number(value) and is_plausible_chi_number(value):
        return "chi_number"
    return "nhs_number"


_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "nought": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_DIGIT_WORD = "|".join(_DIGIT_WORDS)
# Nine or more digits read out one word at a time: "three nine six three two six seven ...".
_SPELLED_RUN = re.compile(
    rf"(?<![A-Za-z])(?:{_DIGIT_WORD})(?:[ ,.-]+(?:{_DIGIT_WORD})){{8,11}}(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)


def _spelled_numbers(text: str) -> list[Candidate]:
    """NHS numbers, phone numbers and record numbers spelled out digit by digit."""
    found: list[Candidate] = []
    for match in _SPELLED_RUN.finditer(text):
        words = re.findall(_DIGIT_WORD, match.group(0), re.IGNORECASE)
        digits = "".join(_DIGIT_WORDS[w.lower()] for w in words)
        start, end = match.span()
        if len(digits) == 10 and is_valid_nhs_number(digits):
            found.append(Candidate("nhs_number", start, end))
        elif digits.startswith("0") and len(digits) in (10, 11):
            found.append(Candidate("phone", start, end))
        elif _has_record_cue(text, start, end):
            found.append(Candidate(_record_kind(digits, len(digits)), start, end))
    return found


def digit_chain_candidates(text: str) -> list[Candidate]:
    """NHS numbers, record numbers and phone numbers found in digit chains of the view `text`,
    and the same spelled out digit by digit."""
    found: list[Candidate] = _spelled_numbers(text) if _SPELLED_RUN.search(text) else []
    for chain in _chains(text):
        sizes = [e - s for s, e in chain]
        total_digits = sum(sizes)
        if total_digits < 9:
            continue
        start, end = chain[0][0], chain[-1][1]
        if max(sizes) == 1 and total_digits in (10, 11) and text[start] == "0":
            found.append(Candidate("phone", start, end))  # "0 7 7 0 0 9 0 0 8 1 2"
        if (
            9 <= total_digits <= 12
            and not _glued_to_letters(text, start, end)
            and _has_record_cue(text, start, end)
            and not labelled_as_other_number(text, start)
        ):
            value = "".join(text[s:e] for s, e in chain)
            found.append(Candidate(_record_kind(value, total_digits), start, end))
            continue
        for i in range(len(chain)):
            digits = 0
            for j in range(i, len(chain)):
                digits += sizes[j]
                if digits > 10:
                    break
                if digits < 10:
                    continue
                lo, hi = chain[i][0], chain[j][1]
                if hi - lo > _WINDOW or _glued_to_letters(text, lo, hi):
                    break
                if (
                    not _is_figure(text, chain, i, j)
                    and is_valid_nhs_number("".join(text[s:e] for s, e in chain[i : j + 1]))
                    and not labelled_as_other_number(text, lo)
                ):
                    found.append(Candidate("nhs_number", lo, hi))
                break
    return found
