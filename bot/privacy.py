"""Privacy guard: find and redact patient-identifiable data before a message goes anywhere.

Every user message passes through :func:`redact_identifiers` before it is stored, used for
retrieval or sent to a model, so a pasted NHS number never reaches a database row, a vector
index or a third-party API. The guard is deliberately conservative: when in doubt it removes
(a lost postcode costs the user a retype; a leaked one is a reportable data breach), but it
must leave the figures that problem statements are made of ("18% vs 13%", "£9.8m",
"1,928 patients", "Apr–Sep 2023") untouched, or the coach becomes useless.

Design notes:

* Pure standard library (`re`), patterns compiled once at import: this runs on every turn.
* Patterns use explicit ASCII classes (``[0-9]``, ``[A-Z]``) plus ``re.ASCII``, because
  Unicode-aware ``\\d`` and case folding would let odd code points (Arabic-Indic digits, the
  Kelvin sign) take part in matches in ways nobody reviewed.
* Each kind is found independently, then overlaps are resolved so that each character belongs
  to at most one finding (see :func:`_resolve`). Detection repeats on the redacted text until
  nothing more is removed, so the guard is idempotent (see :func:`redact_identifiers`).
* A :class:`Finding` records kind and offsets only, never the matched text, so findings can be
  logged and counted without re-leaking what they describe.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Finding",
    "GuardResult",
    "IdentifierKind",
    "is_plausible_chi_number",
    "is_valid_nhs_number",
    "redact_identifiers",
]

IdentifierKind = Literal[
    "nhs_number",
    "chi_number",
    "postcode",
    "ni_number",
    "email",
    "phone",
    "date_of_birth",
    "possible_nhs_number",
]
Action = Literal["redacted", "warned"]


@dataclass(frozen=True)
class Finding:
    """One identifier found in a message.

    Offsets refer to the ORIGINAL text. The matched text itself is never kept: a Finding may be
    logged, and a log line must not become a second copy of the identifier.
    """

    kind: IdentifierKind
    start: int
    end: int
    action: Action


# Placeholders carry no digits and no "@", so running the guard on its own output finds nothing
# new (idempotence), and they read naturally in a stored draft.
PLACEHOLDERS: dict[str, str] = {
    "nhs_number": "[NHS number removed]",
    "chi_number": "[CHI number removed]",
    "ni_number": "[NI number removed]",
    "email": "[email removed]",
    "phone": "[phone number removed]",
    "postcode": "[postcode removed]",
    "date_of_birth": "[date of birth removed]",
}

# Singular and plural nouns for the user notice, in the order they are listed.
_NOUNS: dict[str, tuple[str, str]] = {
    "nhs_number": ("NHS number", "NHS numbers"),
    "chi_number": ("CHI number", "CHI numbers"),
    "ni_number": ("National Insurance number", "National Insurance numbers"),
    "email": ("email address", "email addresses"),
    "phone": ("phone number", "phone numbers"),
    "postcode": ("postcode", "postcodes"),
    "date_of_birth": ("date of birth", "dates of birth"),
}

# Lower number wins an overlap. NHS numbers first: a valid Modulus 11 number is the strongest
# signal there is, and it must be reported as an NHS number even when it also looks like a
# phone number. Warnings come last: they never remove anything, so they must never displace a
# redaction.
PRIORITY: dict[str, int] = {
    "nhs_number": 0,
    "chi_number": 1,
    "ni_number": 2,
    "email": 3,
    "phone": 4,
    "postcode": 5,
    "date_of_birth": 6,
    "possible_nhs_number": 7,
}


@dataclass(frozen=True)
class GuardResult:
    """The outcome of guarding one message: the safe text and what was found in the original."""

    text: str
    findings: tuple[Finding, ...]

    @property
    def redacted(self) -> tuple[Finding, ...]:
        """Findings that were replaced by a placeholder in :attr:`text`."""
        return tuple(f for f in self.findings if f.action == "redacted")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings left in place but worth a second look (ambiguous 10-digit numbers)."""
        return tuple(f for f in self.findings if f.action == "warned")

    @property
    def changed(self) -> bool:
        """True when anything was removed, i.e. :attr:`text` differs from the original."""
        return bool(self.redacted)

    def notice(self) -> str | None:
        """One short plain-English message for the user, or None when nothing was found.

        It names counts and kinds only, never the values: the notice is shown in a chat
        channel and may itself be stored.
        """
        parts: list[str] = []
        counts = Counter(f.kind for f in self.redacted)
        if counts:
            listed = [
                f"{counts[kind]} {_NOUNS[kind][0] if counts[kind] == 1 else _NOUNS[kind][1]}"
                for kind in sorted(counts, key=PRIORITY.__getitem__)
            ]
            parts.append(
                f"I removed {_join(listed)} before saving or sending your message: "
                "patient-identifiable data must never be shared with the coach. "
                "Use aggregate figures instead."
            )
        warned = len(self.warnings)
        if warned == 1:
            parts.append(
                "A ten-digit number in your message looks like it could be an identifier; "
                "check it is not patient data."
            )
        elif warned > 1:
            parts.append(
                f"{warned} ten-digit numbers in your message look like they could be "
                "identifiers; check they are not patient data."
            )
        return " ".join(parts) or None


def _join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c': British style, no serial comma."""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


# --------------------------------------------------------------------------------------------
# NHS and CHI numbers
# --------------------------------------------------------------------------------------------

_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_SEPARATORS = re.compile(r"[ \u00a0-]")
_TEN_DIGITS_ONLY = re.compile(r"[0-9]{10}", re.ASCII)

# A ten-digit candidate: 3-3-4 with optional single spaces or hyphens (which also covers 10
# contiguous digits and the 6-4 way CHI numbers are sometimes written). It must not touch
# another digit on either side: digits inside a longer run (a 12-digit reference, a card
# number) are not an NHS number, nor are the decimals of "0.0123456789". Commas are fine on
# either side, so a list like "9434765919,4010232137" is still caught. Wrapped in a lookahead
# so candidates may overlap; the overlap resolver picks between them, so an invalid run can
# never hide a valid one next to it.
_TEN_DIGIT_RE = re.compile(
    r"(?<![0-9])(?<![0-9]\.)(?=([0-9]{3}[ \u00a0-]?[0-9]{3}[ \u00a0-]?[0-9]{4})(?![0-9]))",
    re.ASCII,
)


def _digits_of(value: str) -> str | None:
    """The ten digits of `value` once spaces and hyphens are dropped, or None if not ten."""
    digits = _SEPARATORS.sub("", value)
    return digits if _TEN_DIGITS_ONLY.fullmatch(digits) else None


def is_valid_nhs_number(digits: str) -> bool:
    """True when `digits` is ten digits (spaces/hyphens allowed) passing the Modulus 11 check.

    Digits 1-9 are weighted 10..2 and summed; the check digit is 11 minus the remainder mod 11,
    where 11 means 0 and 10 means the number can never be issued.

    The 999 000 0000-999 999 9999 test range is *not* excluded: those numbers are never issued
    to patients, but they have exactly the shape of real ones, and a guard that let some
    valid-looking NHS numbers through would teach users that pasting NHS numbers is fine.
    Redacting a test number costs nothing.
    """
    clean = _digits_of(digits)
    if clean is None:
        return False
    total = sum(int(d) * w for d, w in zip(clean, _NHS_WEIGHTS, strict=False))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(clean[9])


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_plausible_chi_number(digits: str) -> bool:
    """True when `digits` is ten digits whose first six are a real DDMMYY date.

    A Scottish CHI number starts with the holder's date of birth. The century is unknown, so
    29 February is accepted whenever YY is divisible by four (2000 was a leap year, so 00
    counts). This is a plausibility test only: about one random ten-digit string in six passes,
    which is why a CHI-shaped number is redacted rather than trusted.
    """
    clean = _digits_of(digits)
    if clean is None:
        return False
    day, month, year = int(clean[0:2]), int(clean[2:4]), int(clean[4:6])
    if not 1 <= month <= 12 or day < 1:
        return False
    if month == 2 and day == 29:
        return year % 4 == 0
    return day <= _DAYS_IN_MONTH[month - 1]


# --------------------------------------------------------------------------------------------
# Other identifier patterns
# --------------------------------------------------------------------------------------------

# UK postcode. domain.md gives `[A-Z]{1,2}[0-9R][0-9A-Z]? ?[0-9][ABD-HJLNP-UW-Z]{2}`; two
# refinements keep ordinary prose safe without losing any real postcode:
# * the "R" in the third position exists only for the Girobank code GIR 0AA, and left general it
#   turns "for 5th" and "or 1st" into postcodes ("FO"+"R", inward "5TH");
# * real postcodes never start with Q, V or X, nor have I, J or Z second, so "Q1 2nd" (a
#   quarter) is not one.
# Word edges on both sides: "AB1" alone, or inside "XAB1 2CD1", is not a postcode.
_POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:GIR[ \u00a0]?0AA"
    r"|[A-PR-UWYZ](?:[0-9][0-9A-Z]?|[A-HK-Y][0-9][0-9A-Z]?)[ \u00a0]?[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.ASCII | re.IGNORECASE,
)

# National Insurance number: prefix letters per HMRC (first never D F I Q U V, second never
# D F I O Q U V, and BG GB KN NK NT TN ZZ unused), six digits, suffix A-D, optional single
# spaces between pairs ("QQ 12 34 56 C"). QQ breaks the letter rules but is HMRC's own specimen
# prefix, the one people copy from forms; it is accepted on purpose, like the NHS test range.
_NI_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?!BG|GB|KN|NK|NT|TN|ZZ)"
    r"(?:QQ|[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])"
    r"[ \u00a0]?[0-9]{2}[ \u00a0]?[0-9]{2}[ \u00a0]?[0-9]{2}[ \u00a0]?[A-D]"
    r"(?![A-Za-z0-9])",
    re.ASCII | re.IGNORECASE,
)

# Email: the full RFC 5322 atom character set in the local part (a narrower set would redact
# "smith@nhs.net" out of "j{smith@nhs.net" and leave the rest of the address behind), and a
# dotted domain of LDH labels. The lookbehind makes the match start at the beginning of the
# local part and keeps the scan linear on long runs of symbols.
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_EMAIL_RE = re.compile(
    rf"(?<![{_ATEXT}])[{_ATEXT}]+@(?:{_LABEL}\.)+{_LABEL}",
    re.ASCII,
)

# UK phone numbers: +44 / 0044 (optionally "(0)") or a national 0, then digit groups separated
# by single spaces or hyphens, brackets round the area code allowed. After the first group,
# groups need two or more digits, so a stray "1" in "0123 456 789 1 practice" is not swallowed.
# The national number (after 0 or 44) must be 9 or 10 digits; over-long matches are trimmed
# group by group in :func:`_phones`. Not preceded by a word character or a decimal point, so
# "0.0123456789" stays a number.
_PHONE_RE = re.compile(
    r"(?<![\w+.])"
    r"(?P<prefix>(?:\+|00)[ \u00a0]?44[ \u00a0-]?(?:\(0\)[ \u00a0-]?)?|\(0|0)"
    r"(?P<body>[0-9]+\)?(?:[ \u00a0-]?[0-9]{2,})*)",
    re.ASCII,
)
_DIGIT_GROUP_RE = re.compile(r"[0-9]+", re.ASCII)

# Dates: numeric (12/03/1954, 12-03-54, 12.03.1954), ISO (1954-03-12) and written
# (12 March 1954, 12th of Mar '54, March 12, 1954). Month-and-year alone ("March 2025") is not
# a date of birth and is never matched.
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_FULL_YEAR = r"(?:19|20)[0-9]{2}"
_DATE_RE = re.compile(
    r"(?<![0-9A-Za-z/.\-])(?:"
    rf"{_DAY}(?P<sep>[/.\-]){_MONTH}(?P=sep)(?:{_FULL_YEAR}|[0-9]{{2}})"
    rf"|{_FULL_YEAR}-{_MONTH}-{_DAY}"
    rf"|{_DAY}{_ORDINAL}[ \u00a0]+(?:of[ \u00a0]+)?{_MONTH_NAME}\.?,?[ \u00a0]+"
    rf"(?:{_FULL_YEAR}|'?[0-9]{{2}})"
    rf"|{_MONTH_NAME}\.?[ \u00a0]+{_DAY}{_ORDINAL},?[ \u00a0]+{_FULL_YEAR}"
    r")(?![0-9A-Za-z/\-]|\.[0-9])",
    re.ASCII | re.IGNORECASE,
)

# Words that make a nearby date a date of birth. Strong ones are about birth itself; weak ones
# ("patient", "aged") make an individual likely but also appear in planning text. A date
# introduced by a planning word ("from", "by", "between" ...) is a plan, not a birthday, even
# near a strong cue ("DOB 12/03/1954, audit from 01/04/2025"); next to a weak cue "on", "in",
# "and", "of" and "or" count as planning words too, but never next to a strong one, because
# "born on 12 March 1954" is exactly what must go. "patients" (plural) is not a cue:
# "1,928 patients from 01/04/2025" is service data.
_STRONG_CUE_RE = re.compile(
    r"(?<![A-Za-z])(?:(?:new|still)?born|birth(?:day|date)?|d\.?[ ]?o\.?[ ]?b)(?![A-Za-z])",
    re.ASCII | re.IGNORECASE,
)
_WEAK_CUE_RE = re.compile(r"(?<![A-Za-z])(?:aged|patient(?:'s)?)(?![A-Za-z])", re.ASCII | re.I)
_PLANNING = (
    r"from|by|until|till|to|between|since|before|after|during|starting|ending|commencing"
    r"|due|deadline|w/c"
)
_STRONG_PLANNING_RE = re.compile(rf"(?<![A-Za-z])(?:{_PLANNING})[ \t:,]*$", re.ASCII | re.I)
_WEAK_PLANNING_RE = re.compile(
    rf"(?<![A-Za-z])(?:{_PLANNING}|on|in|and|of|or)[ \t:,]*$", re.ASCII | re.I
)
_CUE_WINDOW = 40
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_UNIT = "\x00"  # one collapsed span in the context view (see _dates_of_birth)


# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    kind: IdentifierKind
    start: int
    end: int

    @property
    def action(self) -> Action:
        return "warned" if self.kind == "possible_nhs_number" else "redacted"

    def overlaps(self, other: _Candidate) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: _Candidate) -> bool:
        return self.start <= other.start and other.end <= self.end


def _ten_digit_runs(text: str) -> Iterator[_Candidate]:
    """Valid NHS numbers, CHI-shaped numbers, and other ten-digit runs to warn about."""
    for match in _TEN_DIGIT_RE.finditer(text):
        start, end = match.span(1)
        value = match.group(1)
        if is_valid_nhs_number(value):
            yield _Candidate("nhs_number", start, end)
        elif is_plausible_chi_number(value):
            yield _Candidate("chi_number", start, end)
        else:
            yield _Candidate("possible_nhs_number", start, end)


def _phones(text: str) -> Iterator[_Candidate]:
    """UK phone numbers whose national part is 9 or 10 digits, trimmed if the match ran on.

    After a trimmed match the scan resumes where the phone number ended, not where the regex
    stopped, so "07700 900123 07700 900124" yields both numbers in one pass.
    """
    pos = 0
    while (match := _PHONE_RE.search(text, pos)) is not None:
        pos = match.end()
        international = match.group("prefix").startswith(("+", "00"))
        body_start = match.start("body")
        groups = [
            (body_start + g.start(), body_start + g.end())
            for g in _DIGIT_GROUP_RE.finditer(match.group("body"))
        ]
        sizes = [end - start for start, end in groups]
        # "+44 020 7946 0958" is a common slip: the trunk 0 is not part of the national number.
        if international and text[groups[0][0]] == "0":
            sizes[0] -= 1
        while len(groups) > 1 and sum(sizes) > 10:
            groups.pop()
            sizes.pop()
        if 9 <= sum(sizes) <= 10:
            end = groups[-1][1]
            if len(groups) == 1 and text.startswith(")", end) and "(" in match.group("prefix"):
                end += 1
            pos = end
            yield _Candidate("phone", match.start(), end)


def _simple(kind: IdentifierKind, pattern: re.Pattern[str], text: str) -> Iterator[_Candidate]:
    for match in pattern.finditer(text):
        yield _Candidate(kind, match.start(), match.end())


def _resolve(candidates: Iterable[_Candidate]) -> list[_Candidate]:
    """Choose non-overlapping candidates, highest-priority kind first.

    One exception: an email address that wholly contains the higher-priority candidates it
    overlaps replaces them. Otherwise "j.smith.9434765919@nhs.net" would become
    "j.smith.[NHS number removed]@nhs.net", removing the number but leaving the person's name;
    removing the whole address removes the number too. Other kinds keep strict priority: what
    is left around an NHS number inside "+44 943 476 5919" ("+44 ") identifies nobody, and the
    finding should say NHS number.
    """
    ordered = sorted(set(candidates), key=lambda c: (PRIORITY[c.kind], c.start, c.start - c.end))
    accepted: list[_Candidate] = []
    for cand in ordered:
        clashes = [a for a in accepted if a.overlaps(cand)]
        if not clashes:
            accepted.append(cand)
        elif (
            cand.kind == "email"
            and all(cand.contains(a) for a in clashes)
            and all((a.start, a.end) != (cand.start, cand.end) for a in clashes)
        ):
            accepted = [a for a in accepted if a not in clashes]
            accepted.append(cand)
    return sorted(accepted, key=lambda c: c.start)


def _dates_of_birth(text: str, taken: list[_Candidate]) -> list[_Candidate]:
    """Dates that sit near a birth or patient cue, outside spans already claimed.

    Cues are looked for in a *collapsed* view of the text in which every other finding, every
    date and every placeholder counts as a single character. Distances are therefore the same
    whether an email is still there (40 characters) or already replaced by "[email removed]"
    (15), and a "[date of birth removed]" placeholder never acts as a cue itself. Guarding the
    guard's own output therefore sees the same distances and the same cues, so it finds no new
    dates of birth.
    """
    dates = [
        _Candidate("date_of_birth", m.start(), m.end())
        for m in _DATE_RE.finditer(text)
        if not any(t.start < m.end() and m.start() < t.end for t in taken)
    ]
    if not dates:
        return []
    units = sorted(
        [(t.start, t.end) for t in taken]
        + [(d.start, d.end) for d in dates]
        + [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
    )
    pieces: list[str] = []
    where: dict[int, int] = {}  # original start of a unit -> its index in the collapsed view
    size = 0
    cursor = 0
    for start, end in units:
        if start < cursor:  # defensive: units never overlap, but never double-count one
            continue
        pieces.append(text[cursor:start])
        size += start - cursor
        where[start] = size
        pieces.append(_UNIT)
        size += 1
        cursor = end
    pieces.append(text[cursor:])
    view = "".join(pieces)

    strong = [m.span() for m in _STRONG_CUE_RE.finditer(view)]
    weak = [m.span() for m in _WEAK_CUE_RE.finditer(view)]

    def near(cues: list[tuple[int, int]], at: int) -> bool:
        return any(
            0 <= at - end <= _CUE_WINDOW or 0 < start - at <= _CUE_WINDOW + 1 for start, end in cues
        )

    found = []
    for date in dates:
        at = where.get(date.start)
        if at is None:
            continue
        before = view[max(0, at - 30) : at]
        cued = near(strong, at) and not _STRONG_PLANNING_RE.search(before)
        if cued or (near(weak, at) and not _WEAK_PLANNING_RE.search(before)):
            found.append(date)
    return found


def _detect(text: str) -> list[_Candidate]:
    """One detection pass: every kind found, overlaps resolved, dates of birth added last."""
    candidates: list[_Candidate] = [
        *_ten_digit_runs(text),
        *_simple("ni_number", _NI_RE, text),
        *_simple("email", _EMAIL_RE, text),
        *_phones(text),
        *_simple("postcode", _POSTCODE_RE, text),
    ]
    chosen = _resolve(candidates)
    return sorted(chosen + _dates_of_birth(text, chosen), key=lambda c: c.start)


def _replace(text: str, spans: list[_Candidate]) -> tuple[str, list[int | None]]:
    """`text` with each span replaced by its placeholder, and for every character of the result
    the index it came from in `text` (None for placeholder characters)."""
    out: list[str] = []
    origin: list[int | None] = []
    cursor = 0
    for span in spans:
        out.append(text[cursor : span.start])
        origin.extend(range(cursor, span.start))
        placeholder = PLACEHOLDERS[span.kind]
        out.append(placeholder)
        origin.extend([None] * len(placeholder))
        cursor = span.end
    out.append(text[cursor:])
    origin.extend(range(cursor, len(text)))
    return "".join(out), origin


def redact_identifiers(text: str) -> GuardResult:
    """Find patient-identifiable data in `text` and return a safe copy plus what was found.

    Redacted kinds are replaced by a placeholder such as "[NHS number removed]"; ten-digit
    numbers that are neither a valid NHS number nor CHI-shaped are left in place but reported
    as warnings, because roughly one random ten-digit string in eleven passes Modulus 11 and
    the rest are usually order numbers or references.

    Removing an identifier changes what its neighbours touch: in "9434765919SW1A 1AA" the
    postcode is glued to a digit and not matched, but once the number becomes
    "[NHS number removed]" it stands alone. So detection repeats on the redacted text until a
    pass removes nothing (normally the second pass; the first when nothing was found), with
    offsets mapped back to the original. That makes the function idempotent by construction:
    running it on its own output never removes anything more.
    """
    found: list[_Candidate] = []
    current = text
    to_original: list[int | None] = list(range(len(text)))
    while True:
        removed: list[_Candidate] = []
        for cand in _detect(current):
            first, last = to_original[cand.start], to_original[cand.end - 1]
            if first is None or last is None or None in to_original[cand.start : cand.end]:
                continue  # would cover a placeholder: no pattern can, but never double-redact
            mapped = _Candidate(cand.kind, first, last + 1)
            if cand.action == "redacted":
                removed.append(cand)
                found = [f for f in found if not f.overlaps(mapped)]  # only warnings can clash
                found.append(mapped)
            elif not any(f.overlaps(mapped) for f in found):
                found.append(mapped)
        if not removed:
            break
        current, origin_of = _replace(current, removed)
        to_original = [None if i is None else to_original[i] for i in origin_of]

    found.sort(key=lambda c: c.start)
    findings = tuple(Finding(c.kind, c.start, c.end, c.action) for c in found)
    return GuardResult(text=current, findings=findings)
